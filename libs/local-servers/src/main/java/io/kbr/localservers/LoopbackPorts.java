package io.kbr.localservers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/** Finds free TCP ports on 127.0.0.1 and checks whether something listens on one. */
public final class LoopbackPorts {

    public static final String HOST = "127.0.0.1";

    private LoopbackPorts() {
    }

    /**
     * A port that was free a moment ago. The server binds it a little later, so another process
     * could take it in between; on a test machine that is rare enough to accept.
     */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket()) {
            // no SO_REUSEADDR: we want a port nobody is using, not one in TIME_WAIT
            socket.setReuseAddress(false);
            socket.bind(new InetSocketAddress(InetAddress.getByName(HOST), 0), 1);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot find a free TCP port on " + HOST, e);
        }
    }

    /** Whether a TCP connection to 127.0.0.1:port is accepted right now. */
    public static boolean isListening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(HOST, port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
