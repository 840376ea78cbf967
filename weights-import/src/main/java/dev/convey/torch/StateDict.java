package dev.convey.torch;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A PyTorch {@code state_dict}: parameter and buffer names ({@code layer1.0.conv1.weight},
 * {@code bn1.running_mean}) mapped to tensors, in the file's order, as {@code model.state_dict()} returns it.
 * {@link #read} understands the three files such a dictionary travels in, told apart by their first bytes:
 * <ul>
 *   <li>{@code torch.save} since PyTorch 1.6: a zip ({@code PK\3\4}) of {@code NAME/data.pkl} and
 *       {@code NAME/data/KEY} storages ({@link TorchZip});
 *   <li>{@code torch.save(..., _use_new_zipfile_serialization=False)}: consecutive pickles then the raw
 *       storages ({@code \x80\x02\x8a}, {@link TorchLegacy});
 *   <li>safetensors: an 8-byte header length, a JSON header, raw little-endian tensors ({@link Safetensors}).
 * </ul>
 * Pickles are read by a restricted unpickler ({@link StateDictGlobals}): a file naming any global a
 * state_dict does not need is refused with that global's name, so reading a checkpoint never runs code.
 * Tensors stay in the file until {@link TorchTensor#toFloatArray()} is called.
 */
public final class StateDict {

    private final Path source;
    private final Map<String, TorchTensor> tensors;

    public StateDict(Path source, Map<String, TorchTensor> tensors) {
        this.source = source;
        this.tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
    }

    /** Reads a {@code .pth}/{@code .pt}/{@code .bin} (zip or legacy) or {@code .safetensors} file. */
    public static StateDict read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new CheckpointException(file, "no such file");
        }
        byte[] magic;
        try (InputStream in = Files.newInputStream(file)) {
            magic = in.readNBytes(9);
        }
        if (magic.length >= 4 && magic[0] == 'P' && magic[1] == 'K' && magic[2] == 3 && magic[3] == 4) {
            return TorchZip.read(file);
        }
        if (magic.length >= 3 && (magic[0] & 0xff) == 0x80 && (magic[2] & 0xff) == 0x8a) {
            return TorchLegacy.read(file);
        }
        if (magic.length == 9 && magic[8] == '{') {
            return Safetensors.read(file);
        }
        throw new CheckpointException(file, "neither a torch.save zip (PK\\3\\4), a legacy torch.save pickle"
                + " (\\x80\\x02\\x8a) nor a safetensors file (8-byte length, then '{')");
    }

    /** The file it was read from (null for a dictionary made in memory). */
    public Path source() {
        return source;
    }

    /** Name to tensor, in the file's order. */
    public Map<String, TorchTensor> tensors() {
        return tensors;
    }

    public Set<String> keys() {
        return tensors.keySet();
    }

    public TorchTensor get(String key) {
        return tensors.get(key);
    }

    /** Builds the dictionary from the unpickled top-level object, which must map strings to tensors. */
    static StateDict of(Path file, Object top) throws CheckpointException {
        if (!(top instanceof Map<?, ?> map)) {
            throw new CheckpointException(file, "the pickle holds a " + Unpickler.typeName(top)
                    + ", not a state_dict (a dict of name -> tensor)");
        }
        Map<String, TorchTensor> tensors = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (!(e.getKey() instanceof String key) || !(e.getValue() instanceof TorchTensor t)) {
                throw new CheckpointException(file, "entry '" + e.getKey() + "' is a "
                        + Unpickler.typeName(e.getValue()) + ", not a tensor: this is not a bare state_dict"
                        + " (save model.state_dict(), or extract it from the checkpoint)");
            }
            tensors.put(key, t);
        }
        return new StateDict(file, tensors);
    }

    @Override
    public String toString() {
        return "StateDict(" + tensors.size() + " tensors" + (source == null ? "" : " from " + source) + ")";
    }
}
