package dev.convey.spark;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import dev.convey.spark.ExecutorModels.Engine;
import dev.convey.tensor.Tensor;

/**
 * The work of one partition: rows are read {@code batchSize} at a time, each row's image is decoded (a row
 * whose image cannot be decoded gets its {@code error} and null results: the job goes on), the decoded images
 * go through the executor's shared model as one batch, and each row comes out with the input's columns but
 * {@code content}, the new columns and {@code error}, in input order.
 */
final class BatchedInference implements MapPartitionsFunction<Row, Row> {

    private static final long serialVersionUID = 1L;

    /** Nanoseconds this JVM's tasks held an engine (decoding and forward passes): where Throughput sees the overhead. */
    static final java.util.concurrent.atomic.AtomicLong ENGINE_NANOS = new java.util.concurrent.atomic.AtomicLong();

    /** The new columns and how one image's model output fills them. */
    interface Columns extends java.io.Serializable {
        List<StructField> fields();

        /** The columns' values for one image's output (one flat array). */
        Object[] values(float[] output);
    }

    private final ModelSpec spec;
    private final String layer;
    private final Columns columns;
    private final int pathIndex;
    private final int contentIndex;
    private final StructType schema;

    BatchedInference(StructType input, ModelSpec spec, String layer, Columns columns) {
        this.spec = spec;
        this.layer = layer;
        this.columns = columns;
        this.pathIndex = indexOf(input, "path");
        this.contentIndex = indexOf(input, "content");
        List<StructField> fields = new ArrayList<>();
        for (StructField f : input.fields()) {
            if (!f.name().equals("content")) {
                fields.add(f);
            }
        }
        fields.addAll(columns.fields());
        fields.add(DataTypes.createStructField("error", DataTypes.StringType, true));
        this.schema = DataTypes.createStructType(fields);
    }

    private static int indexOf(StructType schema, String column) {
        if (!Arrays.asList(schema.fieldNames()).contains(column)) {
            throw new IllegalArgumentException("Convey needs the columns path and content of "
                    + "spark.read().format(\"binaryFile\"); the DataFrame has " + Arrays.toString(schema.fieldNames()));
        }
        return schema.fieldIndex(column);
    }

    /** The output rows' schema. */
    StructType schema() {
        return schema;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
        Engine engine = ExecutorModels.get(spec, layer);
        return new Iterator<>() {
            private final ArrayDeque<Row> ready = new ArrayDeque<>();

            @Override
            public boolean hasNext() {
                if (ready.isEmpty() && rows.hasNext()) {
                    runBatch(engine, rows, ready);
                }
                return !ready.isEmpty();
            }

            @Override
            public Row next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return ready.removeFirst();
            }
        };
    }

    /**
     * Reads up to a batch of rows, then (holding the engine: one batch of this JVM at a time) decodes them on
     * all cores and runs the decodable ones as one batch; appends every row's result. Reading the rows (the
     * file bytes, from remote storage perhaps) happens outside the engine, so the slots overlap their I/O.
     */
    private void runBatch(Engine engine, Iterator<Row> rows, ArrayDeque<Row> out) {
        List<Row> batch = new ArrayList<>();
        while (batch.size() < spec.batchSize() && rows.hasNext()) {
            batch.add(rows.next());
        }
        String[] paths = new String[batch.size()];
        byte[][] contents = new byte[batch.size()][];
        for (int i = 0; i < batch.size(); i++) {
            paths[i] = batch.get(i).getString(pathIndex);
            contents[i] = batch.get(i).isNullAt(contentIndex) ? null : (byte[]) batch.get(i).get(contentIndex);
        }
        ImageBytes.Decoded decoded;
        float[][] outputs;
        synchronized (engine) {
            long start = System.nanoTime();
            decoded = ImageBytes.decodeAll(paths, contents, engine.height(), engine.width(), spec);
            outputs = forward(engine, spec, decoded.images());
            ENGINE_NANOS.addAndGet(System.nanoTime() - start);
        }
        for (int i = 0, next = 0; i < batch.size(); i++) {
            String error = decoded.errors()[i];
            Object[] values = error == null ? columns.values(outputs[next++]) : new Object[columns.fields().size()];
            out.add(row(batch.get(i), values, error));
        }
    }

    /** Stacks the decoded images (nulls left out) into one preprocessed batch and runs it. */
    static float[][] forward(Engine engine, ModelSpec spec, Tensor[] images) {
        List<Tensor> good = java.util.Arrays.stream(images).filter(t -> t != null).toList();
        return good.isEmpty() ? new float[0][] : engine.run(spec.preprocess(stack(good)));
    }

    /** Keras' {@code np.stack(images)}: images {@code (H, W, C)} of one size into a batch {@code (n, H, W, C)}. */
    static Tensor stack(List<Tensor> images) {
        int[] shape = images.get(0).shape();
        Tensor x = Tensor.zeros(images.size(), shape[0], shape[1], shape[2]);
        for (int i = 0; i < images.size(); i++) {
            x.batchSlice(i, 1).copyFrom(images.get(i).reshape(1, shape[0], shape[1], shape[2]));
        }
        return x;
    }

    private Row row(Row input, Object[] values, String error) {
        Object[] out = new Object[schema.size()];
        int o = 0;
        for (int i = 0; i < input.size(); i++) {
            if (i != contentIndex) {
                out[o++] = input.get(i);
            }
        }
        for (Object v : values) {
            out[o++] = v;
        }
        out[o] = error;
        return RowFactory.create(out);
    }
}
