package io.github.scanout.core.internal.borrow;

import io.github.scanout.api.DeviceException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.ErrorHandler;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;

/**
 * What {@code libvirt:DOMAIN} needs of a running domain's live status file,
 * {@code /run/libvirt/qemu/DOMAIN.xml} ({@code <domstatus>} around the live {@code <domain>}):
 * its D-Bus graphics ({@code <graphics type='dbus' address='...' p2p='...'/>}; libvirt writes
 * the address of the per-domain bus it started into the live XML) and the UUIDs of its mdev
 * host devices ({@code <hostdev type='mdev'><source><address uuid='...'/>}). Read with the JDK's
 * DOM parser, DOCTYPEs refused (no entities, nothing fetched): the file is written by libvirt,
 * but Scanout treats it like any outside answer (docs/qemu-dbus.md, "libvirt").
 *
 * @param dbus the domain's D-Bus graphics, in document order
 * @param mdevs the UUIDs of its mdev host devices, lower case, in document order
 */
record LibvirtStatus(List<DbusGraphics> dbus, List<String> mdevs) {

    /** More than any status file libvirt writes (a few tens of KiB); larger is refused. */
    static final int MAX_BYTES = 4 << 20;

    /**
     * One {@code <graphics type='dbus'/>}.
     *
     * @param address its {@code address} attribute, or null when it has none
     * @param p2p whether {@code p2p} is yes (libvirt keeps that connection to itself)
     */
    record DbusGraphics(String address, boolean p2p) {}

    /**
     * Reads the status file of {@code domain} under {@code runRoot} ({@code libvirt/qemu/DOMAIN.xml}).
     *
     * @return empty when there is no such file (the domain is not running, or libvirt keeps its
     *     state elsewhere)
     * @throws DeviceException one line naming the file: unreadable, too large, not XML
     */
    static Optional<LibvirtStatus> read(Path runRoot, String domain) throws DeviceException {
        Path file = runRoot.resolve("libvirt/qemu").resolve(domain + ".xml");
        byte[] bytes;
        try {
            if (Files.size(file) > MAX_BYTES) {
                throw new DeviceException("libvirt's status file " + file + " is larger than " + MAX_BYTES + " bytes");
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new DeviceException("cannot read libvirt's status file " + file + ": " + e.getMessage());
        }
        return Optional.of(parse(bytes, file.toString()));
    }

    /**
     * Parses a status file's bytes.
     *
     * @param what the file, for messages
     * @throws DeviceException one line: not XML, a DOCTYPE, no {@code <domain>}
     */
    static LibvirtStatus parse(byte[] xml, String what) throws DeviceException {
        if (xml.length > MAX_BYTES) {
            throw new DeviceException("libvirt's status file " + what + " is larger than " + MAX_BYTES + " bytes");
        }
        Document doc;
        try (InputStream in = new ByteArrayInputStream(xml)) {
            doc = builder().parse(in);
        } catch (SAXException | IOException e) {
            throw new DeviceException("libvirt's status file " + what + " is not XML Scanout reads: "
                    + oneLine(e.getMessage()));
        }
        Element root = doc.getDocumentElement();
        Element domain = "domain".equals(root.getTagName()) ? root : child(root, "domain");
        if (domain == null) {
            throw new DeviceException("libvirt's status file " + what + " has no <domain> element");
        }
        List<DbusGraphics> dbus = new ArrayList<>();
        List<String> mdevs = new ArrayList<>();
        Element devices = child(domain, "devices");
        for (Node n = devices == null ? null : devices.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (!(n instanceof Element e)) {
                continue;
            }
            if ("graphics".equals(e.getTagName()) && "dbus".equals(e.getAttribute("type"))) {
                String address = e.hasAttribute("address") ? e.getAttribute("address") : null;
                String p2p = e.getAttribute("p2p").toLowerCase(Locale.ROOT);
                dbus.add(new DbusGraphics(address, p2p.equals("yes") || p2p.equals("on")));
            } else if ("hostdev".equals(e.getTagName()) && "mdev".equals(e.getAttribute("type"))) {
                Element source = child(e, "source");
                Element address = source == null ? null : child(source, "address");
                if (address != null && !address.getAttribute("uuid").isEmpty()) {
                    mdevs.add(address.getAttribute("uuid").toLowerCase(Locale.ROOT));
                }
            }
        }
        return new LibvirtStatus(List.copyOf(dbus), List.copyOf(mdevs));
    }

    private static DocumentBuilder builder() throws IOException {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setXIncludeAware(false);
            f.setExpandEntityReferences(false);
            f.setNamespaceAware(false);
            DocumentBuilder b = f.newDocumentBuilder();
            b.setErrorHandler(new ErrorHandler() { // the default prints to stderr; throw instead
                @Override
                public void warning(SAXParseException e) {
                    // a warning does not stop the parse
                }

                @Override
                public void error(SAXParseException e) throws SAXException {
                    throw e;
                }

                @Override
                public void fatalError(SAXParseException e) throws SAXException {
                    throw e;
                }
            });
            return b;
        } catch (ParserConfigurationException e) {
            throw new IOException("the JDK's XML parser cannot be configured safely: " + e.getMessage(), e);
        }
    }

    private static Element child(Element parent, String name) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && name.equals(e.getTagName())) {
                return e;
            }
        }
        return null;
    }

    private static String oneLine(String s) {
        return s == null ? "(no reason given)" : s.replaceAll("\\s+", " ").trim();
    }
}
