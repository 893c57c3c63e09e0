package io.github.scanout.web.internal;

import java.io.IOException;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ServiceScope;
import org.osgi.service.http.context.ServletContextHelper;
import org.osgi.service.http.whiteboard.propertytypes.HttpWhiteboardContext;

/**
 * The console's servlet context on the HTTP Whiteboard ({@value #NAME}, at {@code /}): its
 * {@link #handleSecurity} is where every request is authenticated and its rights are read
 * ({@link WebServer#authenticate}, {@link Access}), before the {@link ConsoleServlet} runs, and
 * where the security headers are set. Registered while the {@link WebComponent} has configured the
 * HTTP service and registered its {@link WebServer}.
 *
 * <p>Any thread (the HTTP service's request threads).
 */
@Component(service = org.osgi.service.http.context.ServletContextHelper.class, scope = ServiceScope.BUNDLE)
@HttpWhiteboardContext(name = ConsoleContext.NAME, path = "/")
public final class ConsoleContext extends ServletContextHelper {
    /** The whiteboard name of the context ({@code osgi.http.whiteboard.context.name}). */
    static final String NAME = "io.github.scanout.web";
    /** The request attribute of the {@link Access.Who} that {@link #handleSecurity} let in. */
    static final String WHO = "io.github.scanout.web.who";

    private final WebServer server;

    /** @param server the console's routes and access */
    @Activate
    public ConsoleContext(@Reference WebServer server) {
        this.server = server;
    }

    @Override
    public boolean handleSecurity(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Access.Who who = server.authenticate(request, response);
        if (who == null) {
            return false;
        }
        request.setAttribute(WHO, who);
        request.setAttribute(REMOTE_USER, who.name());
        request.setAttribute(AUTHENTICATION_TYPE, who.name().isEmpty() ? null : HttpServletRequest.BASIC_AUTH);
        return true;
    }
}
