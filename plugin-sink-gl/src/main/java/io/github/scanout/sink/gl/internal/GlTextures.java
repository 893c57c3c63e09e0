package io.github.scanout.sink.gl.internal;

import org.lwjgl.opengl.GL11;
import org.lwjgl.opengl.GL12;

/** Texture parameters shared by every texture of the sink. Stateless; GL thread. */
final class GlTextures {
    private GlTextures() {}

    /**
     * Nearest sampling (exact pixels when drawn 1:1; a sharp picture when scaled, as a console
     * should be) and edge clamping, on the texture bound to GL_TEXTURE_2D.
     */
    static void nearestClamped() {
        GL11.glTexParameteri(GL11.GL_TEXTURE_2D, GL11.GL_TEXTURE_MIN_FILTER, GL11.GL_NEAREST);
        GL11.glTexParameteri(GL11.GL_TEXTURE_2D, GL11.GL_TEXTURE_MAG_FILTER, GL11.GL_NEAREST);
        GL11.glTexParameteri(GL11.GL_TEXTURE_2D, GL11.GL_TEXTURE_WRAP_S, GL12.GL_CLAMP_TO_EDGE);
        GL11.glTexParameteri(GL11.GL_TEXTURE_2D, GL11.GL_TEXTURE_WRAP_T, GL12.GL_CLAMP_TO_EDGE);
    }
}
