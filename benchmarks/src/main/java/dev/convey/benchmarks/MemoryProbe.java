package dev.convey.benchmarks;

import com.google.gson.Gson;

import dev.convey.models.Model;
import dev.convey.tensor.Tensor;

/**
 * Peak resident memory of batch-1 inference, measured in a JVM of its own (RunAll starts it) so that nothing
 * else has touched the process: builds the classifier with synthetic weights, runs {@code runs} inferences and
 * prints one JSON line ({@link Result}) with the resident set after each and the process's peak (VmHWM).
 * <pre>  java -cp benchmarks.jar dev.convey.benchmarks.MemoryProbe vgg16 20</pre>
 * A flat series of resident sets after the first inference shows that inference allocates nothing per call
 * (every layer reuses its buffers).
 */
public final class MemoryProbe {

    /** What the probe prints; all sizes in bytes. */
    record Result(String model, long weightBytes, long residentBeforeModel, long residentAfterBuild,
                  long[] residentAfterInference, long peakResident) {
    }

    private MemoryProbe() {
    }

    public static void main(String[] args) {
        if (args.length != 2) {
            throw new IllegalArgumentException("usage: MemoryProbe vgg16|resnet50 RUNS");
        }
        String name = args[0];
        int runs = Integer.parseInt(args[1]);
        long before = ProcStatus.residentBytes();
        Model model = Models.classifier(name);
        Tensor image = Models.images(1);
        long afterBuild = ProcStatus.residentBytes();
        long[] afterInference = new long[runs];
        for (int i = 0; i < runs; i++) {
            model.forward(image);
            afterInference[i] = ProcStatus.residentBytes();
        }
        long weightBytes = model.countParams() * Float.BYTES;
        System.out.println(new Gson().toJson(new Result(name, weightBytes, before, afterBuild, afterInference,
                ProcStatus.peakResidentBytes())));
    }
}
