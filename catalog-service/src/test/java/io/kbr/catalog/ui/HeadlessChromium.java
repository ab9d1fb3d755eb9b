package io.kbr.catalog.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A headless Chromium driven over the Chrome DevTools Protocol with the JDK's WebSocket client: no WebDriver,
 * no extra dependency. Clicks and typing are real input events ({@code Input.dispatchMouseEvent},
 * {@code Input.insertText}); page state is read with {@code Runtime.evaluate}. The browser's console
 * messages and uncaught exceptions are collected for diagnostics.
 */
final class HeadlessChromium implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> NAMES = List.of("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome");

    private final Process process;
    private final Path profile;
    private final WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final List<String> console = Collections.synchronizedList(new ArrayList<>());

    /** The browser binary: $KBR_CHROMIUM, else the first of chromium, chromium-browser, google-chrome… on the PATH. */
    static Optional<Path> find() {
        String explicit = System.getenv("KBR_CHROMIUM");
        if (explicit != null && !explicit.isBlank()) {
            Path p = Path.of(explicit);
            return Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
        }
        String path = System.getenv().getOrDefault("PATH", "");
        for (String name : NAMES) {
            for (String dir : path.split(File.pathSeparator)) {
                Path p = Path.of(dir, name);
                if (!dir.isEmpty() && Files.isExecutable(p)) {
                    return Optional.of(p);
                }
            }
        }
        return Optional.empty();
    }

    HeadlessChromium(Path binary, Path logFile, int width, int height) throws Exception {
        profile = Files.createTempDirectory("kbr-ui-chromium");
        Files.createDirectories(logFile.getParent());
        process = new ProcessBuilder(binary.toString(), "--headless=new", "--no-sandbox", "--disable-gpu",
                "--disable-dev-shm-usage", "--no-first-run", "--no-default-browser-check", "--disable-extensions",
                "--disable-background-networking", "--disable-sync", "--mute-audio", "--hide-scrollbars",
                "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0", "--remote-allow-origins=*",
                "--user-data-dir=" + profile, "--window-size=" + width + "," + height, "--lang=en-US", "about:blank")
                .redirectErrorStream(true).redirectOutput(logFile.toFile()).start();
        try {
            socket = connect(logFile, width, height);
        } catch (Exception e) {
            kill();
            throw e;
        }
    }

    private WebSocket connect(Path logFile, int width, int height) throws Exception {
        Path portFile = profile.resolve("DevToolsActivePort");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!(Files.exists(portFile) && Files.readAllLines(portFile).size() >= 2)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Chromium exited with " + process.exitValue() + "; see " + logFile);
            }
            if (System.nanoTime() > deadline) {
                process.destroyForcibly();
                throw new IllegalStateException("Chromium did not open its DevTools port within 60 s; see " + logFile);
            }
            Thread.sleep(100);
        }
        int port = Integer.parseInt(Files.readAllLines(portFile).get(0).trim());
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        String pageSocket = null;
        for (int attempt = 0; attempt < 100 && pageSocket == null; attempt++) {
            String list = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/list")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            for (JsonNode target : JSON.readTree(list)) {
                if ("page".equals(target.path("type").asText())) {
                    pageSocket = target.path("webSocketDebuggerUrl").asText();
                    break;
                }
            }
            if (pageSocket == null) {
                Thread.sleep(100);
            }
        }
        if (pageSocket == null) {
            throw new IllegalStateException("Chromium has no page target");
        }
        WebSocket ws = http.newWebSocketBuilder().buildAsync(URI.create(pageSocket), new Listener()).get(30, TimeUnit.SECONDS);
        for (String[] enable : new String[][] {{"Page.enable"}, {"Runtime.enable"}}) {
            sendOn(ws, enable[0], Map.of());
        }
        sendOn(ws, "Emulation.setDeviceMetricsOverride", Map.of("width", width, "height", height, "deviceScaleFactor", 1, "mobile", false));
        return ws;
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder buffer = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            buffer.append(data);
            if (last) {
                String message = buffer.toString();
                buffer.setLength(0);
                try {
                    dispatch(JSON.readTree(message));
                } catch (IOException e) {
                    console.add("undecodable DevTools message: " + e.getMessage());
                }
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            pending.values().forEach(f -> f.completeExceptionally(error));
        }
    }

    private void dispatch(JsonNode message) {
        if (message.has("id")) {
            CompletableFuture<JsonNode> f = pending.remove(message.get("id").asInt());
            if (f != null) {
                if (message.has("error")) {
                    f.completeExceptionally(new IllegalStateException("DevTools error: " + message.get("error")));
                } else {
                    f.complete(message.path("result"));
                }
            }
            return;
        }
        String method = message.path("method").asText();
        JsonNode params = message.path("params");
        if ("Runtime.consoleAPICalled".equals(method)) {
            StringBuilder line = new StringBuilder("console." + params.path("type").asText() + ":");
            for (JsonNode arg : params.path("args")) {
                line.append(' ').append(arg.has("value") ? arg.get("value").asText() : arg.path("description").asText());
            }
            console.add(line.toString());
        } else if ("Runtime.exceptionThrown".equals(method)) {
            JsonNode d = params.path("exceptionDetails");
            console.add("uncaught: " + d.path("exception").path("description").asText(d.path("text").asText()));
        }
    }

    /** Sends one DevTools command and waits for its result. */
    JsonNode send(String method, Map<String, ?> params) {
        return sendOn(socket, method, params);
    }

    private JsonNode sendOn(WebSocket ws, String method, Map<String, ?> params) {
        int id = ids.incrementAndGet();
        CompletableFuture<JsonNode> result = new CompletableFuture<>();
        pending.put(id, result);
        ObjectNode message = JSON.createObjectNode().put("id", id).put("method", method);
        message.set("params", JSON.valueToTree(params));
        try {
            ws.sendText(JSON.writeValueAsString(message), true).get(30, TimeUnit.SECONDS);
            return result.get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            pending.remove(id);
            throw new IllegalStateException(method + " failed: " + e.getMessage() + "\nbrowser console:\n" + consoleLog(), e);
        }
    }

    /** Evaluates {@code expression} in the page (promises awaited) and returns its value as JSON. */
    JsonNode eval(String expression) {
        JsonNode r = send("Runtime.evaluate", Map.of("expression", expression, "returnByValue", true, "awaitPromise", true));
        if (r.has("exceptionDetails")) {
            JsonNode d = r.get("exceptionDetails");
            throw new IllegalStateException("page script failed: " + d.path("exception").path("description").asText(d.path("text").asText())
                    + " in: " + expression);
        }
        return r.path("result").path("value");
    }

    void navigate(String url) {
        send("Page.navigate", Map.of("url", url));
        waitFor("document.readyState === 'complete' && location.href === " + JSON.valueToTree(url), Duration.ofSeconds(30));
    }

    /** Navigates without waiting (the page may rewrite its address, e.g. to drop a token from the fragment). */
    void open(String url) {
        send("Page.navigate", Map.of("url", url));
    }

    /** Waits until the JS boolean {@code condition} holds in the page. */
    void waitFor(String condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            try {
                if (eval("!!(" + condition + ")").asBoolean()) {
                    return;
                }
            } catch (IllegalStateException e) {
                last = e.getMessage();
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new AssertionError("page condition not met within " + timeout + ": " + condition + (last.isEmpty() ? "" : " (" + last + ")")
                + "\npage text:\n" + text("body") + "\nbrowser console:\n" + consoleLog());
    }

    /** A real mouse click in the middle of the first element matching {@code selector} (scrolled into view). */
    void click(String selector) {
        JsonNode box = eval("(() => { const e = document.querySelector(" + quote(selector) + "); if (!e) return null;"
                + " e.scrollIntoView({block: 'center'}); const r = e.getBoundingClientRect();"
                + " return {x: r.left + r.width / 2, y: r.top + r.height / 2}; })()");
        if (box.isNull() || box.isMissingNode()) {
            throw new AssertionError("no element " + selector + "\npage text:\n" + text("body"));
        }
        double x = box.get("x").asDouble();
        double y = box.get("y").asDouble();
        send("Input.dispatchMouseEvent", Map.of("type", "mouseMoved", "x", x, "y", y));
        send("Input.dispatchMouseEvent", Map.of("type", "mousePressed", "x", x, "y", y, "button", "left", "clickCount", 1));
        send("Input.dispatchMouseEvent", Map.of("type", "mouseReleased", "x", x, "y", y, "button", "left", "clickCount", 1));
    }

    /** Clicks into a text field, clears it and types {@code text} as keyboard input. */
    void type(String selector, String text) {
        click(selector);
        eval("(() => { const e = document.querySelector(" + quote(selector) + "); e.select ? e.select() : null; })()");
        send("Input.dispatchKeyEvent", Map.of("type", "keyDown", "key", "Delete", "code", "Delete", "windowsVirtualKeyCode", 46));
        send("Input.dispatchKeyEvent", Map.of("type", "keyUp", "key", "Delete", "code", "Delete", "windowsVirtualKeyCode", 46));
        send("Input.insertText", Map.of("text", text));
    }

    /** Chooses the option with {@code value} of a select element, as a user's choice would (change event). */
    void select(String selector, String value) {
        boolean found = eval("(() => { const e = document.querySelector(" + quote(selector) + ");"
                + " if (!e || ![...e.options].some(o => o.value === " + quote(value) + ")) return false;"
                + " e.focus(); e.value = " + quote(value) + "; e.dispatchEvent(new Event('input', {bubbles: true}));"
                + " e.dispatchEvent(new Event('change', {bubbles: true})); return true; })()").asBoolean();
        if (!found) {
            throw new AssertionError("no option " + value + " in " + selector + "\npage text:\n" + text("body"));
        }
    }

    String text(String selector) {
        try {
            JsonNode v = eval("(() => { const e = document.querySelector(" + quote(selector) + "); return e ? e.innerText : null; })()");
            return v.isNull() || v.isMissingNode() ? null : v.asText();
        } catch (IllegalStateException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    /** A PNG of the whole page. */
    byte[] screenshot(Path file) throws IOException {
        JsonNode r = send("Page.captureScreenshot", Map.of("format", "png", "captureBeyondViewport", true));
        byte[] png = Base64.getDecoder().decode(r.get("data").asText());
        Files.createDirectories(file.getParent());
        Files.write(file, png);
        return png;
    }

    String consoleLog() {
        synchronized (console) {
            return String.join("\n", console);
        }
    }

    static String quote(String s) {
        return JSON.valueToTree(s).toString();
    }

    @Override
    public void close() {
        try {
            if (socket != null) {
                socket.sendClose(WebSocket.NORMAL_CLOSURE, "done");
            }
        } catch (RuntimeException ignored) {
            // the process is ended below anyway
        }
        kill();
    }

    /** Ends the browser and its helper processes (only those this object started), then removes the profile. */
    private void kill() {
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        children.forEach(ProcessHandle::destroy);
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        try (Stream<Path> files = Files.walk(profile)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary profile left behind is harmless
        }
    }
}
