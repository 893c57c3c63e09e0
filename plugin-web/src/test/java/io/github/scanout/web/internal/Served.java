package io.github.scanout.web.internal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.EnumSet;
import javax.net.ssl.SSLContext;
import javax.servlet.DispatcherType;
import javax.servlet.Filter;
import javax.servlet.FilterChain;
import javax.servlet.ServletException;
import javax.servlet.ServletRequest;
import javax.servlet.ServletResponse;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.servlet.FilterHolder;
import org.eclipse.jetty.servlet.ServletContextHandler;
import org.eclipse.jetty.servlet.ServletHolder;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * The console's {@link ConsoleContext} and {@link ConsoleServlet} in an embedded javax.servlet
 * container on 127.0.0.1, as the HTTP Whiteboard runs them: the context's handleSecurity first
 * (a filter here), the servlet only when it let the request in. The runtime's ITs serve the same
 * classes from Felix HTTP Jetty.
 */
final class Served {
    private final Server jetty;
    private final ServerConnector connector;
    private final String scheme;

    private Served(Server jetty, ServerConnector connector, String scheme) {
        this.jetty = jetty;
        this.connector = connector;
        this.scheme = scheme;
    }

    /** Serves {@code routes} over http, or https with {@code tls} unless it is null, on a free port of 127.0.0.1. */
    static Served start(WebServer routes, SSLContext tls) {
        Server jetty = new Server();
        HttpConfiguration config = new HttpConfiguration();
        config.setSendServerVersion(false);
        ServerConnector connector;
        if (tls == null) {
            connector = new ServerConnector(jetty, new HttpConnectionFactory(config));
        } else {
            config.addCustomizer(new SecureRequestCustomizer(false));
            SslContextFactory.Server ssl = new SslContextFactory.Server();
            ssl.setSslContext(tls);
            connector = new ServerConnector(jetty, ssl, new HttpConnectionFactory(config));
        }
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        jetty.addConnector(connector);
        ServletContextHandler handler = new ServletContextHandler();
        handler.setContextPath("/");
        ConsoleContext context = new ConsoleContext(routes);
        Filter security = new Filter() {
            @Override
            public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
                    throws IOException, ServletException {
                if (context.handleSecurity((HttpServletRequest) req, (HttpServletResponse) res)) {
                    chain.doFilter(req, res);
                }
            }
        };
        handler.addFilter(new FilterHolder(security), "/*", EnumSet.of(DispatcherType.REQUEST));
        handler.addServlet(new ServletHolder(new ConsoleServlet(routes)), "/*");
        jetty.setHandler(handler);
        try {
            jetty.start();
        } catch (Exception e) {
            throw new IllegalStateException("the test's Jetty did not start", e);
        }
        return new Served(jetty, connector, tls == null ? "http" : "https");
    }

    InetSocketAddress address() {
        return new InetSocketAddress("127.0.0.1", connector.getLocalPort());
    }

    String url() {
        return scheme + "://127.0.0.1:" + connector.getLocalPort() + "/";
    }

    void stop() {
        try {
            jetty.stop();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
