package proxy.http;

import static proxy.http.RequestFields.invalid;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import proxy.chat.ErrorKind;
import proxy.chat.Part;

/**
 * The {@code url} of an OpenAI {@code image_url} content part, turned into an inline image.
 *
 * <p>A {@code data:<media type>;base64,<data>} URL is taken as it is. An {@code http(s)} URL is
 * refused with a 400 unless the operator started the proxy with {@code --fetch-images on}; then
 * it is fetched with the JDK client, at most {@link #MAX_IMAGE_BYTES} bytes, and must answer 2xx
 * with an image type the API accepts. Every failure is an {@link HttpError} whose message and
 * {@code param} name the request field ({@code where}); nothing else is thrown but an
 * {@link InterruptedIOException} when the calling thread is interrupted mid-fetch.
 *
 * <p>Checking and fetching are two steps ({@link #prepare}) so that a request is fully validated
 * before the proxy touches the network for it.
 */
public final class ImageUrls implements AutoCloseable {

    /** The API's limit for one image, decoded. */
    public static final int MAX_IMAGE_BYTES = 5 * 1024 * 1024;
    static final List<String> IMAGE_TYPES = List.of("image/jpeg", "image/png", "image/gif", "image/webp");
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(20);

    /** An image whose URL has been checked; {@link #get} may still have to fetch it. */
    @FunctionalInterface
    public interface Pending {
        Part.Image get() throws InterruptedIOException;
    }

    private final HttpClient client; // null when fetching is off

    public ImageUrls(boolean fetch) {
        this.client = fetch
                ? HttpClient.newBuilder()
                        .followRedirects(HttpClient.Redirect.NORMAL) // NORMAL: never from https down to http
                        .connectTimeout(CONNECT_TIMEOUT)
                        .build()
                : null;
    }

    /** The image at {@code url}, fetched now if it is remote. */
    public Part.Image resolve(String url, String where) throws InterruptedIOException {
        return prepare(url, where).get();
    }

    /**
     * Checks {@code url} without touching the network: a data URL is decoded into its image, a
     * remote URL is refused when fetching is off, any other scheme is refused.
     */
    public Pending prepare(String url, String where) {
        String scheme = scheme(url);
        switch (scheme) {
            case "data" -> {
                Part.Image image = dataUrl(url, where);
                return () -> image;
            }
            case "http", "https" -> {
                if (client == null) {
                    throw invalid(where, "image URLs are not fetched by this proxy; send the image as a data: URL "
                            + "(base64), or start the proxy with --fetch-images on");
                }
                URI uri;
                try {
                    uri = URI.create(url);
                } catch (IllegalArgumentException e) {
                    throw invalid(where, "not a valid URL");
                }
                return () -> fetch(uri, where);
            }
            default -> throw invalid(where, "must be a data: URL (data:image/png;base64,...) or an http(s) URL");
        }
    }

    private static String scheme(String url) {
        int colon = url.indexOf(':');
        return colon < 0 ? "" : url.substring(0, colon).strip().toLowerCase(Locale.ROOT);
    }

    /** {@code data:<media type>[;param=value...];base64,<data>}. */
    private static Part.Image dataUrl(String url, String where) {
        int comma = url.indexOf(',');
        if (comma < 0) {
            throw invalid(where, "a data: URL needs a comma before its data");
        }
        String[] header = url.substring(url.indexOf(':') + 1, comma).split(";");
        if (!header[header.length - 1].strip().equalsIgnoreCase("base64")) {
            throw invalid(where, "only base64 data: URLs are supported (data:image/png;base64,...)");
        }
        String mediaType = mediaType(header[0]);
        if (!IMAGE_TYPES.contains(mediaType)) {
            throw invalid(where, "the image type '" + header[0].strip() + "' is not supported; use one of "
                    + String.join(", ", IMAGE_TYPES));
        }
        String data = url.substring(comma + 1);
        if (data.isEmpty()) {
            throw invalid(where, "the data: URL holds no image data");
        }
        long bytes = (long) data.length() * 3 / 4; // decoded size, without decoding
        if (bytes > MAX_IMAGE_BYTES) {
            throw tooLarge(where, bytes + " bytes > " + MAX_IMAGE_BYTES + " bytes");
        }
        return new Part.Image(mediaType, data);
    }

    private Part.Image fetch(URI uri, String where) throws InterruptedIOException {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT).header("Accept", "image/*").GET().build();
        try {
            HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream body = response.body()) {
                int status = response.statusCode();
                if (status < 200 || status > 299) {
                    throw invalid(where, "fetching the image failed: the server answered HTTP " + status);
                }
                String given = response.headers().firstValue("Content-Type").orElse("");
                String mediaType = mediaType(given);
                if (!IMAGE_TYPES.contains(mediaType)) {
                    throw invalid(where, "the URL did not give an image: its content type is "
                            + (given.isBlank() ? "missing" : "'" + given.strip() + "'") + "; supported: " + String.join(", ", IMAGE_TYPES));
                }
                byte[] bytes = body.readNBytes(MAX_IMAGE_BYTES + 1); // one more than allowed tells "too large"
                if (bytes.length > MAX_IMAGE_BYTES) {
                    throw tooLarge(where, "the URL gave more than " + MAX_IMAGE_BYTES + " bytes");
                }
                return new Part.Image(mediaType, Base64.getEncoder().encodeToString(bytes));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while fetching an image");
        } catch (HttpTimeoutException e) {
            throw invalid(where, "fetching the image timed out");
        } catch (IOException e) {
            // the reason, not the stack: it is about the client's URL, not the proxy
            throw invalid(where, "fetching the image failed (" + e.getClass().getSimpleName() + ")");
        }
    }

    /** The bare media type, lower case: {@code "Image/PNG; charset=x"} → {@code "image/png"}. */
    private static String mediaType(String contentType) {
        int semicolon = contentType.indexOf(';');
        return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).strip().toLowerCase(Locale.ROOT);
    }

    private static HttpError tooLarge(String where, String size) {
        return new HttpError(ErrorKind.REQUEST_TOO_LARGE, where + ": image exceeds 5 MB maximum: " + size).withParam(where);
    }

    /** Closes the HTTP client, if fetching was on. */
    @Override
    public void close() {
        if (client != null) {
            client.close();
        }
    }
}
