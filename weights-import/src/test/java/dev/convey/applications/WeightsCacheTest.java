package dev.convey.applications;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sun.net.httpserver.HttpServer;

/**
 * Keras' get_file behaviour of {@link WeightsCache}, with a temporary Keras home. The machine has no internet:
 * downloads are tested against a local HTTP server, and "offline" is a port nobody listens on.
 */
class WeightsCacheTest {

    private static final byte[] CONTENT = "pretend these are VGG16 weights".getBytes(StandardCharsets.US_ASCII);
    // md5(CONTENT), computed with md5sum.
    private static final String CONTENT_MD5 = "0d7a116ddab759584af6e884ac668cb9";

    @TempDir
    Path kerasHome;

    private HttpServer server;
    private final AtomicInteger requests = new AtomicInteger();

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/weights/", exchange -> {
            requests.incrementAndGet();
            boolean found = exchange.getRequestURI().getPath().endsWith("/model.h5");
            exchange.sendResponseHeaders(found ? 200 : 404, found ? CONTENT.length : -1);
            try (OutputStream out = exchange.getResponseBody()) {
                if (found) {
                    out.write(CONTENT);
                }
            }
        });
        server.start();
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    private String url(String file) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/weights/" + file;
    }

    @Test
    void md5OfAFile() throws IOException {
        Path f = Files.write(kerasHome.resolve("x"), CONTENT);
        assertEquals(CONTENT_MD5, WeightsCache.md5(f));
    }

    @Test
    void aCachedFileWithTheRightHashIsUsedWithoutNetwork() throws IOException {
        WeightsCache cache = new WeightsCache(kerasHome);
        Path cached = Files.createDirectories(kerasHome.resolve("models")).resolve("model.h5");
        Files.write(cached, CONTENT);
        assertEquals(cached, cache.get("model.h5", url("model.h5"), CONTENT_MD5));
        assertEquals(0, requests.get());
        assertEquals(kerasHome.resolve("models"), cache.directory());
    }

    @Test
    void aMissingFileIsDownloadedIntoTheCacheAndVerified() throws IOException {
        WeightsCache cache = new WeightsCache(kerasHome);
        Path file = cache.get("model.h5", url("model.h5"), CONTENT_MD5);
        assertEquals(kerasHome.resolve("models").resolve("model.h5"), file);
        assertArrayEquals(CONTENT, Files.readAllBytes(file));
        assertEquals(1, requests.get());
        try (var listing = Files.list(kerasHome.resolve("models"))) {
            assertEquals(1, listing.count(), "no temporary file is left behind");
        }
        cache.get("model.h5", url("model.h5"), CONTENT_MD5);
        assertEquals(1, requests.get(), "the second call is served from the cache");
    }

    @Test
    void aCorruptCachedFileIsDownloadedAgain() throws IOException {
        WeightsCache cache = new WeightsCache(kerasHome);
        Path cached = Files.createDirectories(kerasHome.resolve("models")).resolve("model.h5");
        Files.write(cached, "truncated".getBytes(StandardCharsets.US_ASCII));
        cache.get("model.h5", url("model.h5"), CONTENT_MD5);
        assertArrayEquals(CONTENT, Files.readAllBytes(cached));
        assertEquals(1, requests.get());
    }

    @Test
    void aDownloadWithTheWrongHashIsRejectedAndNotKept() throws IOException {
        WeightsCache cache = new WeightsCache(kerasHome);
        String wrong = "00000000000000000000000000000000";
        IOException e = assertThrows(IOException.class, () -> cache.get("model.h5", url("model.h5"), wrong));
        assertTrue(e.getMessage().contains(CONTENT_MD5) && e.getMessage().contains(wrong), e.getMessage());
        try (var listing = Files.list(kerasHome.resolve("models"))) {
            assertEquals(0, listing.count(), "neither the file nor a temporary file is left");
        }
    }

    @Test
    void httpErrorsAndOfflineMachinesSayWhereToPutTheFile() throws IOException {
        WeightsCache cache = new WeightsCache(kerasHome);
        Path target = kerasHome.resolve("models").resolve("other.h5");
        IOException notFound = assertThrows(IOException.class, () -> cache.get("other.h5", url("other.h5"), CONTENT_MD5));
        assertTrue(notFound.getMessage().contains("HTTP 404") && notFound.getMessage().contains(target.toString()),
                notFound.getMessage());

        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        String offline = "http://127.0.0.1:" + closedPort + "/vgg16.h5";
        IOException e = assertThrows(IOException.class, () -> cache.get("vgg16.h5", offline, CONTENT_MD5));
        assertTrue(e.getMessage().contains("place it at " + kerasHome.resolve("models").resolve("vgg16.h5"))
                && e.getMessage().contains(offline) && e.getMessage().contains(CONTENT_MD5), e.getMessage());
        assertFalse(Files.exists(kerasHome.resolve("models").resolve("vgg16.h5")));
    }

    @Test
    void imagenetWeightsAreKerasFilesFromTheCache() throws IOException {
        // Keras' file names, URLs and file_hash values (vgg16.py, resnet.py).
        assertEquals("https://storage.googleapis.com/tensorflow/keras-applications/vgg16/"
                + "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5", VGG16.WEIGHTS.baseUrl() + VGG16.WEIGHTS.noTopFile());
        assertEquals("6d6bbae143d832006294945121d1f1fc", VGG16.WEIGHTS.noTopMd5());
        assertEquals("64373286793e3c8b2b4e3219cbf3544b", VGG16.WEIGHTS.topMd5());
        assertEquals("https://storage.googleapis.com/tensorflow/keras-applications/resnet/"
                + "resnet50_weights_tf_dim_ordering_tf_kernels.h5", ResNet50.WEIGHTS.baseUrl() + ResNet50.WEIGHTS.topFile());
        assertEquals("2cb95161c43110f7111970584f804107", ResNet50.WEIGHTS.topMd5());
        assertEquals("4d473c1dd8becc155b73f8504c6f6626", ResNet50.WEIGHTS.noTopMd5());

        // A file placed in the cache by hand is found under its name (and its hash checked) without network.
        Path models = Files.createDirectories(kerasHome.resolve("models"));
        Path placed = Files.write(models.resolve(ResNet50.WEIGHTS.topFile()), CONTENT);
        Pretrained offline = new Pretrained("http://127.0.0.1:1/", ResNet50.WEIGHTS.topFile(), CONTENT_MD5,
                ResNet50.WEIGHTS.noTopFile(), ResNet50.WEIGHTS.noTopMd5());
        assertEquals(placed, offline.imagenetFile(new WeightsCache(kerasHome), true));
        RuntimeException e = assertThrows(RuntimeException.class, () -> offline.imagenetFile(new WeightsCache(kerasHome), false));
        assertTrue(e.getMessage().contains("place it at " + models.resolve(ResNet50.WEIGHTS.noTopFile())), e.getMessage());
    }
}
