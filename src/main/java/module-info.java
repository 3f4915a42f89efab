/** claude-proxy: Anthropic Messages and OpenAI Chat Completions over the Claude Code CLI. */
module proxy {
    requires jdk.httpserver;
    requires java.net.http; // --fetch-images on: image URLs are fetched with the JDK client
    requires com.fasterxml.jackson.core;

    // every System.Logger writes through it, in the jlink image as on the class path (META-INF/services)
    provides java.lang.System.LoggerFinder with proxy.log.ProxyLoggerFinder;
}
