package dev.convey.training;

import java.io.IOException;
import java.nio.file.Path;

import dev.convey.layers.Layer;

/**
 * How {@link ModelCheckpoint} writes a model: the Keras HDF5 writers live in the weights-import module, so the
 * checkpoint takes one as a function, e.g. {@code KerasModelFile::save} or {@code KerasWeights::save}.
 */
@FunctionalInterface
public interface ModelSaver {

    /** Writes the model (or its weights) to {@code path}. */
    void save(Layer model, Path path) throws IOException;
}
