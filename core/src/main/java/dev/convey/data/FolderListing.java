package dev.convey.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Listing a Keras image directory (one sub-folder per class), shared by {@link DirectoryIterator} (Keras'
 * {@code flow_from_directory}) and {@link ImageDatasets} ({@code image_dataset_from_directory}), which differ
 * only in the options passed here.
 */
final class FolderListing {

    /** Keras' file order below a class folder (os.walk sorted by folder path, then the names sorted in each). */
    static final Comparator<Path> KERAS_FILE_ORDER =
            Comparator.comparing((Path p) -> p.getParent().toString()).thenComparing(p -> p.getFileName().toString());

    private FolderListing() {
    }

    /** The names of the sub-folders of {@code directory}, sorted; without those starting with "." if asked. */
    static List<String> subfolders(Path directory, boolean skipHidden) {
        try (Stream<Path> entries = Files.list(directory)) {
            return entries.filter(Files::isDirectory).map(p -> p.getFileName().toString())
                    .filter(name -> !(skipHidden && name.startsWith("."))).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list " + directory, e);
        }
    }

    /** Every regular file below {@code folder} that {@code allowed} accepts, in {@link #KERAS_FILE_ORDER}. */
    static List<Path> files(Path folder, boolean followLinks, Predicate<Path> allowed) {
        FileVisitOption[] options = followLinks ? new FileVisitOption[] {FileVisitOption.FOLLOW_LINKS}
                : new FileVisitOption[0];
        try (Stream<Path> walk = Files.walk(folder, options)) {
            return walk.filter(Files::isRegularFile).filter(allowed).sorted(KERAS_FILE_ORDER).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list the images in " + folder, e);
        }
    }
}
