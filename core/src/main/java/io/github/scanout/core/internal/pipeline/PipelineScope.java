package io.github.scanout.core.internal.pipeline;

import jakarta.inject.Scope;
import java.lang.annotation.Documented;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;

/** One instance per pipeline graph ({@link PipelineGraph}). */
@Scope
@Documented
@Retention(RetentionPolicy.RUNTIME)
@interface PipelineScope {}
