package dev.convey.applications;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;

import dev.convey.io.AtomicFiles;

/**
 * Keras' {@code keras.utils.get_file} for pretrained weights: a file is looked up in the cache directory
 * {@code ~/.keras/models/} (or {@code $KERAS_HOME/models/}) and downloaded there only when absent or when its MD5
 * hash is not the one Keras publishes. The same cache is shared with Python Keras, so weights downloaded once by
 * either are found by both.
 *
 * <p>A download is written to a temporary name in the cache directory, its hash is checked, and only then it is
 * renamed to the final name: an interrupted download never leaves a truncated file under the real name.
 */
public final class WeightsCache {

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);

    private final Path directory;

    /** A cache in {@code kerasHome/models}, Keras' {@code cache_subdir="models"}. */
    public WeightsCache(Path kerasHome) {
        this.directory = kerasHome.resolve("models");
    }

    /**
     * Keras' default cache: {@code $KERAS_HOME} if set, else {@code ~/.keras} ({@code ~} is {@code $HOME}, as
     * Python's expanduser reads it), else {@code /tmp/.keras} when the home folder is not writable.
     */
    public static WeightsCache standard() {
        String kerasHome = System.getenv("KERAS_HOME");
        if (kerasHome != null && !kerasHome.isEmpty()) {
            return new WeightsCache(Paths.get(kerasHome));
        }
        String home = System.getenv("HOME");
        Path base = Paths.get(home != null && !home.isEmpty() ? home : System.getProperty("user.home"));
        Path dotKeras = base.resolve(".keras");
        boolean writable = Files.isDirectory(dotKeras) ? Files.isWritable(dotKeras) : Files.isWritable(base);
        return new WeightsCache(writable ? dotKeras : Paths.get("/tmp", ".keras"));
    }

    /** The folder the files live in ({@code ~/.keras/models}). */
    public Path directory() {
        return directory;
    }

    /**
     * The cached file {@code fileName}, downloading it from {@code url} first if it is missing or its MD5 is not
     * {@code md5}. Without network access the error says where to put the file by hand. {@code md5} null: Keras
     * publishes no hash for the file (MobileNet's, for one), so a cached file is taken as it is, as Keras does.
     */
    public Path get(String fileName, String url, String md5) throws IOException {
        Path target = directory.resolve(fileName);
        if (Files.isRegularFile(target)) {
            String actual = md5 == null ? null : md5(target);
            if (md5 == null || actual.equalsIgnoreCase(md5)) {
                return target;
            }
            System.err.println("The cached file " + target + " has MD5 " + actual + " but " + md5
                    + " was expected (incomplete or outdated); downloading it again.");
        }
        download(fileName, url, md5, target);
        return target;
    }

    private void download(String fileName, String url, String md5, Path target) throws IOException {
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw unavailable(fileName, url, md5, target, "the cache folder cannot be created (" + e + ")", e);
        }
        AtomicFiles.write(target, tmp -> {
            String actual;
            HttpClient client = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT)
                    .followRedirects(HttpClient.Redirect.NORMAL).build();
            HttpResponse<InputStream> response;
            try {
                response = client.send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
                        HttpResponse.BodyHandlers.ofInputStream());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("Interrupted while downloading " + url, e);
            } catch (IOException e) {
                String detail = e.getMessage() == null ? "" : ": " + e.getMessage();
                throw unavailable(fileName, url, md5, target, "no connection (" + e.getClass().getSimpleName() + detail + ")", e);
            }
            try (InputStream body = response.body()) {
                if (response.statusCode() != 200) {
                    throw unavailable(fileName, url, md5, target, "the server answered HTTP " + response.statusCode(), null);
                }
                System.err.println("Downloading data from " + url);
                MessageDigest digest = newMd5();
                try (InputStream in = new DigestInputStream(body, digest); OutputStream out = Files.newOutputStream(tmp)) {
                    in.transferTo(out);
                }
                actual = HexFormat.of().formatHex(digest.digest());
            }
            if (md5 != null && !actual.equalsIgnoreCase(md5)) {
                throw new IOException("The download of " + url + " is incomplete or corrupted: its MD5 is " + actual
                        + " but Keras publishes " + md5);
            }
        });
    }

    private static IOException unavailable(String fileName, String url, String md5, Path target, String reason,
            Exception cause) {
        String message = "Could not download " + fileName + " from " + url + ": " + reason
                + ". Without internet access, download it on another machine and place it at " + target
                + (md5 == null ? "" : " (MD5 " + md5 + ")");
        return new IOException(message, cause);
    }

    /** The MD5 hash of a file as 32 lowercase hex digits (what Keras' {@code file_hash} holds). */
    public static String md5(Path file) throws IOException {
        MessageDigest digest = newMd5();
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static MessageDigest newMd5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("This JVM has no MD5 implementation", e);
        }
    }
}
