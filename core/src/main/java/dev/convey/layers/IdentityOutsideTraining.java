package dev.convey.layers;

/**
 * A layer that outside training returns its input as it is (Dropout and the other noise layers). The inference
 * planner {@code InferenceFusion} lets a fused chain run through it: EfficientNet's {@code project_bn -> drop -> add}.
 */
public interface IdentityOutsideTraining {
}
