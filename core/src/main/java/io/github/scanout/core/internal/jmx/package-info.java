/**
 * JMX MXBeans of the device pipelines and their sinks, registered in the platform MBean server
 * by {@link io.github.scanout.core.internal.jmx.JmxMetrics} (no dependency: jconsole, VisualVM
 * and JMX exporters read them). Not API: the interfaces are public for the MBean server only.
 */
package io.github.scanout.core.internal.jmx;
