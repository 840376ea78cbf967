package dev.convey.torch;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * {@code torch.save}'s zip format (PyTorch 1.6 and later): every entry sits under one folder named after the
 * file ({@code resnet18/}, or {@code archive/}):
 * <pre>
 *   NAME/data.pkl      the pickled state_dict; storages are persistent ids ('storage', torch.FloatStorage, KEY, 'cpu', numel)
 *   NAME/data/KEY      each storage's raw bytes, numel * element size, uncompressed
 *   NAME/version       the format version ("3\n")
 *   NAME/byteorder     "little" or "big" (PyTorch 2.1+; absent means little)
 * </pre>
 * A storage's entry must hold exactly the bytes its pickle declares, so nothing is allocated that the file
 * does not contain; storages are read when a tensor is, by opening the zip again.
 */
final class TorchZip {

    /** Pickles larger than this are not state_dicts (ResNet-152's is 40 KB). */
    private static final long MAX_PICKLE_BYTES = 64L << 20;

    private TorchZip() {
    }

    static StateDict read(Path file) throws IOException {
        try (ZipFile zip = new ZipFile(file.toFile())) {
            String prefix = prefix(file, zip);
            ByteOrder order = byteOrder(file, zip, prefix);
            ByteBuffer pickle = ByteBuffer.wrap(bytes(file, zip, zip.getEntry(prefix + "data.pkl"), MAX_PICKLE_BYTES));
            StateDictGlobals globals = new StateDictGlobals((dtype, key, numel) -> {
                Storage s = new Storage(dtype, numel, key);
                String name = prefix + "data/" + key;
                ZipEntry entry = zip.getEntry(name);
                long expected = numel * dtype.bytes();
                if (entry == null) {
                    throw new CheckpointException(file, "storage '" + key + "' has no entry " + name);
                }
                if (entry.getSize() != expected) {
                    throw new CheckpointException(file, "entry " + name + " holds " + entry.getSize()
                            + " bytes but its storage is " + numel + " elements of " + dtype + " (" + expected + " bytes)");
                }
                s.source(() -> {
                    try (ZipFile again = new ZipFile(file.toFile())) {
                        return ByteBuffer.wrap(bytes(file, again, again.getEntry(name), expected)).order(order);
                    } catch (CheckpointException e) {
                        throw e;
                    } catch (IOException e) {
                        throw new CheckpointException(file, "storage " + name + " is unreadable (" + e + ")", e);
                    }
                });
                return s;
            });
            return StateDict.of(file, Unpickler.load(file, pickle, globals));
        } catch (CheckpointException e) {
            throw e;
        } catch (IOException e) {
            throw new CheckpointException(file, "not a readable zip file (" + e + ")", e);
        }
    }

    /** The single top folder holding {@code data.pkl}, with its slash. */
    private static String prefix(Path file, ZipFile zip) throws IOException {
        List<String> candidates = new ArrayList<>();
        for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
            String name = e.nextElement().getName();
            if (name.endsWith("/data.pkl") && name.indexOf('/') == name.length() - "/data.pkl".length()) {
                candidates.add(name.substring(0, name.length() - "data.pkl".length()));
            }
        }
        if (candidates.size() != 1) {
            throw new CheckpointException(file, candidates.isEmpty()
                    ? "a zip without NAME/data.pkl: not a torch.save file"
                    : "a zip with " + candidates.size() + " data.pkl entries " + candidates);
        }
        return candidates.get(0);
    }

    private static ByteOrder byteOrder(Path file, ZipFile zip, String prefix) throws IOException {
        ZipEntry entry = zip.getEntry(prefix + "byteorder");
        if (entry == null) {
            return ByteOrder.LITTLE_ENDIAN;
        }
        String order = new String(bytes(file, zip, entry, 16), StandardCharsets.US_ASCII).trim();
        return switch (order) {
            case "little" -> ByteOrder.LITTLE_ENDIAN;
            case "big" -> ByteOrder.BIG_ENDIAN;
            default -> throw new CheckpointException(file, "byteorder entry says '" + order + "', not little or big");
        };
    }

    /** An entry's bytes, at most {@code limit} and exactly the size the entry declares. */
    private static byte[] bytes(Path file, ZipFile zip, ZipEntry entry, long limit) throws IOException {
        if (entry == null) {
            throw new CheckpointException(file, "a required zip entry is missing");
        }
        long size = entry.getSize();
        if (size < 0 || size > limit || size > Integer.MAX_VALUE - 8) {
            throw new CheckpointException(file, "entry " + entry.getName() + " declares " + size
                    + " bytes (at most " + limit + " expected)");
        }
        if (entry.getMethod() != ZipEntry.STORED && size > Files.size(file) * 1032L) {
            throw new CheckpointException(file, "entry " + entry.getName() + " expands " + size
                    + " bytes from a file of " + Files.size(file) + " (beyond deflate's limit)");
        }
        try (InputStream in = zip.getInputStream(entry)) {
            byte[] b = in.readNBytes((int) size);
            if (b.length != size || in.read() != -1) {
                throw new CheckpointException(file, "entry " + entry.getName() + " does not hold the " + size
                        + " bytes it declares");
            }
            return b;
        } catch (CheckpointException e) {
            throw e;
        } catch (IOException e) {
            throw new CheckpointException(file, "entry " + entry.getName() + " is corrupt (" + e + ")", e);
        }
    }
}
