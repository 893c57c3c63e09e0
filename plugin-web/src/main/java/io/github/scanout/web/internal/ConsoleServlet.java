package io.github.scanout.web.internal;

import java.io.IOException;
import javax.servlet.Servlet;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.http.whiteboard.propertytypes.HttpWhiteboardContextSelect;
import org.osgi.service.http.whiteboard.propertytypes.HttpWhiteboardServletPattern;

/**
 * Every route of the console ({@link WebServer}: the page, the JSON, the pictures, the forms'
 * POSTs, the live view) as one servlet on the HTTP Whiteboard, at {@code /*} of the
 * {@link ConsoleContext}, which has authenticated the request. One servlet rather than one per
 * route: the routes share the CSRF token, the picture cache and the checks of {@link WebServer#route},
 * which every path from the network passes first.
 *
 * <p>Any thread (the HTTP service's request threads).
 */
@Component(service = Servlet.class)
@HttpWhiteboardServletPattern("/*")
@HttpWhiteboardContextSelect("(osgi.http.whiteboard.context.name=" + ConsoleContext.NAME + ")")
public final class ConsoleServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    private final transient WebServer server;

    /** @param server the console's routes */
    @Activate
    public ConsoleServlet(@Reference WebServer server) {
        this.server = server;
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Object who = request.getAttribute(ConsoleContext.WHO);
        if (!(who instanceof Access.Who w)) {
            // not through the console's context: nobody authenticated it
            response.sendError(HttpServletResponse.SC_FORBIDDEN);
            return;
        }
        server.handle(request, response, w);
    }
}
