package io.github.scanout.sink.vnc.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The configuration of one VNC sink (a factory configuration of PID
 * {@value VncSinkComponent#PID}; one listener per configuration). Values are checked by
 * {@link VncOptions#parse}.
 */
@ObjectClassDefinition(
        name = "Scanout VNC sink",
        description = "Serves what a device shows to VNC (RFB) viewers; view-only unless input=true.")
public @interface VncSinkConfig {

    @AttributeDefinition(description = "Name of the device this sink is for, as the device is configured. "
            + "Published as a service property for the pipeline's filter.")
    String device() default "";

    @AttributeDefinition(description = "Where to listen: HOST:PORT, [IPv6]:PORT, PORT (on 127.0.0.1) or "
            + "unix:/PATH (a Unix-domain socket). Port 0 picks a free one (the log says which). An address that is "
            + "not loopback needs tls.cert, tls.key and password.file, or insecure=true.")
    String listen() default VncOptions.DEFAULT_LISTEN;

    @AttributeDefinition(name = "password.file", description = "File whose first line is the VNC password "
            + "(only its first 8 bytes count, as in every VNC server). Empty: no authentication.")
    String password_file() default "";

    @AttributeDefinition(description = "Accept listening on an address that is not loopback although viewers "
            + "connect unencrypted.")
    boolean insecure() default false;

    @AttributeDefinition(name = "max.viewers", description = "Viewers served at once; more are refused.", min = "1",
            max = "1000")
    int max_viewers() default 16;

    @AttributeDefinition(description = "Seconds a viewer may take nothing from its connection before it is dropped; "
            + "also how long each step of a TLS handshake may take.",
            min = "1", max = "3600")
    int timeout() default 30;

    @AttributeDefinition(name = "tls.cert", description = "PEM file with the server's certificate (then any "
            + "intermediates) for VeNCrypt (X509Vnc with password.file, else X509None) and wss://. With tls.key.")
    String tls_cert() default "";

    @AttributeDefinition(name = "tls.key", description = "PEM file with the unencrypted PKCS#8 private key of tls.cert.")
    String tls_key() default "";

    @AttributeDefinition(description = "TCP port of a WebSocket listener (on the listen address) for browsers "
            + "(noVNC); 0 picks a free one; empty: none.")
    String websocket() default "";

    @AttributeDefinition(name = "websocket.origins", description = "Origins (http://host:port) of the web pages "
            + "allowed to open the WebSocket, comma-separated, or *. Browsers send their page's origin; requests "
            + "without one (not a browser) are allowed. Empty: no browser page.")
    String websocket_origins() default "";

    @AttributeDefinition(description = "Forward viewers' keys and pointer to the device (a control right: every "
            + "viewer who gets in can type into the VM). Only devices that take input (qemu-dbus) use it; "
            + "false: view-only, events are read and dropped.")
    boolean input() default false;
}
