/** claude-proxy: Anthropic Messages and OpenAI Chat Completions over the Claude Code CLI. */
module proxy {
    requires jdk.httpserver;
    requires com.fasterxml.jackson.core;
}
