package io.kbr.blobstore;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;

/**
 * A small HTTP proxy on 127.0.0.1 in front of the test S3 server that answers chosen requests with an
 * error instead of forwarding them. One request per connection (it rewrites {@code Connection: close}),
 * so every request passes through it; headers are otherwise forwarded byte for byte, so signatures stay
 * valid. It can also be created before it listens, to play an endpoint that is down for a while.
 */
final class FaultInjectingProxy implements AutoCloseable {

    /** An error answer ({@code status} > 0), or a forwarded answer cut after {@code cutAfter} bytes. */
    private record Fault(Predicate<String> requestLine, int status, String code, long cutAfter) {
    }

    private final int port;
    private final String targetHost;
    private final int targetPort;
    private final Deque<Fault> faults = new ArrayDeque<>();
    private final List<String> requestLines = Collections.synchronizedList(new ArrayList<>());
    private final List<String> failedLines = Collections.synchronizedList(new ArrayList<>());
    private volatile ServerSocket server;

    /** A proxy on a free port that does not listen until {@link #start()}. */
    FaultInjectingProxy(String targetHost, int targetPort) throws IOException {
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            this.port = probe.getLocalPort();
        }
        this.targetHost = targetHost;
        this.targetPort = targetPort;
    }

    int port() {
        return port;
    }

    String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    /** The next request whose request line (e.g. {@code PUT /bucket/key?partNumber=2&uploadId=…}) matches fails. */
    synchronized FaultInjectingProxy failNext(Predicate<String> requestLine, int status, String code) {
        faults.add(new Fault(requestLine, status, code, -1));
        return this;
    }

    /** The next matching request is forwarded, but its answer is cut off after {@code bytes} bytes (head included). */
    synchronized FaultInjectingProxy cutNextResponse(Predicate<String> requestLine, long bytes) {
        faults.add(new Fault(requestLine, 0, null, bytes));
        return this;
    }

    List<String> requestLines() {
        synchronized (requestLines) {
            return List.copyOf(requestLines);
        }
    }

    List<String> failedLines() {
        synchronized (failedLines) {
            return List.copyOf(failedLines);
        }
    }

    synchronized FaultInjectingProxy start() throws IOException {
        ServerSocket socket = new ServerSocket();
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
        server = socket;
        Thread acceptor = new Thread(this::acceptLoop, "fault-proxy-" + port);
        acceptor.setDaemon(true);
        acceptor.start();
        return this;
    }

    @Override
    public void close() throws IOException {
        if (server != null) {
            server.close();
        }
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Thread handler = new Thread(() -> handle(client), "fault-proxy-connection");
                handler.setDaemon(true);
                handler.start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private synchronized Fault takeFault(String requestLine) {
        for (var it = faults.iterator(); it.hasNext(); ) {
            Fault fault = it.next();
            if (fault.requestLine().test(requestLine)) {
                it.remove();
                return fault;
            }
        }
        return null;
    }

    private void handle(Socket client) {
        try (client) {
            InputStream fromClient = client.getInputStream();
            OutputStream toClient = client.getOutputStream();
            List<String> head = readHead(fromClient);
            if (head.isEmpty()) {
                return;
            }
            String requestLine = head.get(0);
            requestLines.add(requestLine);
            long contentLength = 0;
            StringBuilder forwarded = new StringBuilder(requestLine).append("\r\n");
            for (String header : head.subList(1, head.size())) {
                String lower = header.toLowerCase(Locale.ROOT);
                if (lower.startsWith("content-length:")) {
                    contentLength = Long.parseLong(header.substring(header.indexOf(':') + 1).trim());
                }
                if (!lower.startsWith("connection:")) {
                    forwarded.append(header).append("\r\n");
                }
            }
            forwarded.append("Connection: close\r\n\r\n");

            Fault fault = takeFault(requestLine);
            if (fault != null && fault.status() > 0) {
                failedLines.add(requestLine);
                fromClient.readNBytes((int) Math.min(contentLength, Integer.MAX_VALUE)); // let the client finish sending
                respond(toClient, requestLine.startsWith("HEAD "), fault);
                return;
            }
            try (Socket target = new Socket(targetHost, targetPort)) {
                OutputStream toTarget = target.getOutputStream();
                toTarget.write(forwarded.toString().getBytes(StandardCharsets.ISO_8859_1));
                copy(fromClient, toTarget, contentLength);
                toTarget.flush();
                if (fault == null) {
                    target.getInputStream().transferTo(toClient);
                } else {
                    failedLines.add(requestLine);
                    toClient.write(target.getInputStream().readNBytes((int) fault.cutAfter()));
                    client.setSoLinger(true, 0); // a reset, as from a dying server
                }
                toClient.flush();
            }
        } catch (IOException e) {
            // a client or server that went away; the test sees the effect
        }
    }

    private static void respond(OutputStream out, boolean head, Fault fault) throws IOException {
        String body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + fault.code()
                + "</Code><Message>injected by the test proxy</Message><RequestId>test</RequestId></Error>";
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        String response = "HTTP/1.1 " + fault.status() + " " + reason(fault.status()) + "\r\n"
                + "Content-Type: application/xml\r\n"
                + "Content-Length: " + (head ? 0 : bytes.length) + "\r\n"
                + "Connection: close\r\n\r\n";
        out.write(response.getBytes(StandardCharsets.ISO_8859_1));
        if (!head) {
            out.write(bytes);
        }
        out.flush();
    }

    private static String reason(int status) {
        return switch (status) {
            case 403 -> "Forbidden";
            case 500 -> "Internal Server Error";
            case 503 -> "Service Unavailable";
            default -> "Error";
        };
    }

    private static List<String> readHead(InputStream in) throws IOException {
        List<String> lines = new ArrayList<>();
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int previous = -1;
        int b;
        while ((b = in.read()) != -1) {
            if (previous == '\r' && b == '\n') {
                byte[] bytes = line.toByteArray();
                String text = new String(bytes, 0, bytes.length - 1, StandardCharsets.ISO_8859_1);
                if (text.isEmpty()) {
                    return lines;
                }
                lines.add(text);
                line.reset();
                previous = -1;
                continue;
            }
            line.write(b);
            previous = b;
        }
        return lines;
    }

    private static void copy(InputStream in, OutputStream out, long length) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        long remaining = length;
        while (remaining > 0) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, remaining));
            if (n < 0) {
                throw new IOException("client closed after " + (length - remaining) + " of " + length + " body bytes");
            }
            out.write(buffer, 0, n);
            remaining -= n;
        }
    }
}
