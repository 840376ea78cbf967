package dev.convey.torch;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

import dev.convey.io.AtomicFiles;

/**
 * Hugging Face's safetensors format: nothing but data, so nothing to execute.
 * <pre>
 *   u64 little-endian N     the header's length
 *   N bytes of UTF-8 JSON   {"NAME": {"dtype": "F32", "shape": [64, 3, 7, 7], "data_offsets": [BEGIN, END]}, ...,
 *                            "__metadata__": {"format": "pt"}}
 *   the data buffer         each tensor C-contiguous little-endian at [BEGIN, END) of this buffer
 * </pre>
 * Reading checks what the format's own reader checks: END - BEGIN is exactly numel * element size, the
 * tensors tile the buffer without overlap, and the buffer is exactly the rest of the file.
 */
public final class Safetensors {

    /** A header beyond this is not a tensor index (Llama-70B's is 100 KB). */
    private static final long MAX_HEADER_BYTES = 100L << 20;

    private Safetensors() {
    }

    static StateDict read(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            if (channel.read(lengthBytes, 0) != 8) {
                throw new CheckpointException(file, "shorter than a safetensors header length");
            }
            long n = lengthBytes.getLong(0);
            if (n < 2 || n > MAX_HEADER_BYTES || n > size - 8) {
                throw new CheckpointException(file, "safetensors header length " + n + " in a file of " + size + " bytes");
            }
            ByteBuffer header = ByteBuffer.allocate((int) n);
            channel.read(header, 8);
            long dataStart = 8 + n;
            long dataLength = size - dataStart;
            if (dataLength > Integer.MAX_VALUE) {
                throw new CheckpointException(file, "a safetensors data buffer over 2 GB is not supported");
            }
            ByteBuffer data = channel.map(FileChannel.MapMode.READ_ONLY, dataStart, dataLength)
                    .order(ByteOrder.LITTLE_ENDIAN);
            return parse(file, new String(header.array(), StandardCharsets.UTF_8), data);
        }
    }

    private static StateDict parse(Path file, String json, ByteBuffer data) throws CheckpointException {
        JsonObject header;
        try {
            checkNesting(file, json);
            header = JsonParser.parseString(json).getAsJsonObject();
        } catch (JsonParseException | IllegalStateException e) {
            throw new CheckpointException(file, "the safetensors header is not a JSON object (" + e.getMessage() + ")", e);
        }
        Map<String, TorchTensor> tensors = new LinkedHashMap<>();
        List<long[]> ranges = new ArrayList<>();
        for (Map.Entry<String, JsonElement> e : header.entrySet()) {
            if (e.getKey().equals("__metadata__")) {
                continue;
            }
            String name = e.getKey();
            try {
                JsonObject info = e.getValue().getAsJsonObject();
                DType dtype = DType.ofSafetensorsCode(info.get("dtype").getAsString());
                if (dtype == null) {
                    throw new CheckpointException(file, "tensor '" + name + "' has dtype " + info.get("dtype")
                            + " (supported: F32, F16, BF16, F64 and integer types)");
                }
                JsonArray shapeJson = info.get("shape").getAsJsonArray();
                int[] shape = new int[shapeJson.size()];
                long numel = 1;
                for (int i = 0; i < shape.length; i++) {
                    long d = shapeJson.get(i).getAsLong();
                    numel *= d;
                    if (d < 0 || d > Integer.MAX_VALUE || numel > Integer.MAX_VALUE) {
                        throw new CheckpointException(file, "tensor '" + name + "' has shape " + shapeJson);
                    }
                    shape[i] = (int) d;
                }
                JsonArray offsets = info.get("data_offsets").getAsJsonArray();
                long begin = offsets.get(0).getAsLong();
                long end = offsets.get(1).getAsLong();
                if (offsets.size() != 2 || begin < 0 || end < begin || end > data.capacity()
                        || end - begin != numel * dtype.bytes()) {
                    throw new CheckpointException(file, "tensor '" + name + "' (" + dtype.safetensorsCode() + " "
                            + shapeJson + ", " + numel * dtype.bytes() + " bytes) has data_offsets " + offsets
                            + " in a data buffer of " + data.capacity() + " bytes");
                }
                ByteBuffer slice = data.slice((int) begin, (int) (end - begin));
                Storage storage = new Storage(dtype, numel, name);
                storage.source(() -> slice.duplicate().order(ByteOrder.LITTLE_ENDIAN));
                tensors.put(name, new TorchTensor(storage, 0, shape, TorchTensor.contiguousStrides(shape), false));
                ranges.add(new long[] {begin, end});
            } catch (NullPointerException | IllegalStateException | UnsupportedOperationException
                     | NumberFormatException | IndexOutOfBoundsException ex) {
                throw new CheckpointException(file, "tensor '" + name + "' lacks a valid dtype, shape or data_offsets"
                        + " (" + ex + ")", ex);
            }
        }
        ranges.sort((a, b) -> Long.compare(a[0], b[0]));
        long covered = 0;
        for (long[] r : ranges) {
            if (r[0] != covered) {
                throw new CheckpointException(file, "tensor data overlaps or leaves a gap at byte " + covered
                        + " of the data buffer");
            }
            covered = r[1];
        }
        if (covered != data.capacity()) {
            throw new CheckpointException(file, "the tensors cover " + covered + " bytes of a " + data.capacity()
                    + "-byte data buffer");
        }
        return new StateDict(file, tensors);
    }

    /** Refuses JSON nested deeper than 64 levels (a parser's recursion must not overflow the stack). */
    private static void checkNesting(Path file, String json) throws CheckpointException {
        int depth = 0;
        boolean inString = false;
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if ((c == '{' || c == '[') && ++depth > 64) {
                throw new CheckpointException(file, "the safetensors header nests deeper than 64 levels");
            } else if (c == '}' || c == ']') {
                depth--;
            }
        }
    }

    /**
     * Writes the tensors as a safetensors file (float32 and int64 as they are; the order of the map), through
     * a temporary file renamed into place. The header is padded with spaces to a multiple of 8 bytes, as the
     * reference writer does.
     */
    public static void write(Path file, Map<String, TorchTensor> tensors) throws IOException {
        JsonObject header = new JsonObject();
        JsonObject metadata = new JsonObject();
        metadata.addProperty("format", "pt");
        header.add("__metadata__", metadata);
        long offset = 0;
        for (Map.Entry<String, TorchTensor> e : tensors.entrySet()) {
            TorchTensor t = e.getValue();
            JsonObject info = new JsonObject();
            info.addProperty("dtype", t.dtype().safetensorsCode());
            JsonArray shape = new JsonArray();
            for (int d : t.shape()) {
                shape.add(d);
            }
            info.add("shape", shape);
            JsonArray offsets = new JsonArray();
            offsets.add(offset);
            offset += (long) t.numel() * t.dtype().bytes();
            offsets.add(offset);
            info.add("data_offsets", offsets);
            header.add(e.getKey(), info);
        }
        StringBuilder json = new StringBuilder(header.toString());
        while (json.toString().getBytes(StandardCharsets.UTF_8).length % 8 != 0) {
            json.append(' ');
        }
        byte[] headerBytes = json.toString().getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(file, path -> {
            try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(path), 1 << 20)) {
                out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(headerBytes.length).array());
                out.write(headerBytes);
                for (TorchTensor t : tensors.values()) {
                    out.write(TorchWriter.littleEndianBytes(t));
                }
            }
        });
    }
}
