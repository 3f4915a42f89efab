/** claude-proxy: Anthropic Messages and OpenAI Chat Completions over the Claude Code CLI. */
module proxy {
    requires jdk.httpserver;
    requires java.net.http; // --fetch-images on: image URLs are fetched with the JDK client
    requires com.fasterxml.jackson.core;
}
