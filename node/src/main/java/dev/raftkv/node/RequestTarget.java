package dev.raftkv.node;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An HTTP request target, percent-decoded strictly: a path and its query parameters. Netty's
 * QueryStringDecoder turns bytes that are not UTF-8 into U+FFFD (so {@code %FF%FE} and {@code %FE%FF}
 * named the same key) and throws IllegalArgumentException on {@code %ZZ}; here both are a
 * {@link RequestException} with status 400, said to the client in words.
 */
record RequestTarget(String path, Map<String, List<String>> parameters) {
    RequestTarget {
        parameters = Map.copyOf(parameters);
    }

    /** The first value of a query parameter, or null. */
    String parameter(String name) {
        List<String> values = parameters.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    /** @throws RequestException (400) for a target that is not a path, a bad escape, or bytes that are not UTF-8 */
    static RequestTarget parse(String uri) {
        String target = uri;
        // absolute-form (RFC 9112 3.2.2), which a server must accept: keep the path
        int scheme = target.indexOf("://");
        if (scheme > 0 && !target.startsWith("/")) {
            int slash = target.indexOf('/', scheme + 3);
            target = slash < 0 ? "/" : target.substring(slash);
        }
        if (!target.startsWith("/")) throw bad("the request target must be a path starting with '/', got " + quote(target));
        int hash = target.indexOf('#');
        if (hash >= 0) target = target.substring(0, hash);
        int q = target.indexOf('?');
        String rawPath = q < 0 ? target : target.substring(0, q);
        String path = decode(rawPath, false, "the path");
        Map<String, List<String>> params = new LinkedHashMap<>();
        if (q >= 0) {
            for (String pair : target.substring(q + 1).split("&")) {
                if (pair.isEmpty()) continue;
                int eq = pair.indexOf('=');
                String name = decode(eq < 0 ? pair : pair.substring(0, eq), true, "a query parameter name");
                String value = eq < 0 ? "" : decode(pair.substring(eq + 1), true, "query parameter " + quote(name));
                params.computeIfAbsent(name, n -> new java.util.ArrayList<>()).add(value);
            }
        }
        params.replaceAll((k, v) -> List.copyOf(v));
        return new RequestTarget(path, params);
    }

    /** Percent-decodes {@code s} to bytes, then reads them as strict UTF-8; in a query, '+' is a space. */
    private static String decode(String s, boolean query, String what) {
        if (s.indexOf('%') < 0 && (!query || s.indexOf('+') < 0) && isAscii(s)) return s;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                int hi = i + 2 < s.length() ? Character.digit(s.charAt(i + 1), 16) : -1;
                int lo = i + 2 < s.length() ? Character.digit(s.charAt(i + 2), 16) : -1;
                if (hi < 0 || lo < 0) {
                    throw bad(what + " has a '%' at position " + i + " that is not followed by two hex digits: "
                            + quote(s.substring(i, Math.min(s.length(), i + 3))));
                }
                bytes.write(hi << 4 | lo);
                i += 2;
            } else if (c == '+' && query) {
                bytes.write(' ');
            } else if (c < 0x80) {
                bytes.write(c);
            } else {
                // the request line is read as ISO-8859-1, one char per byte: raw UTF-8 octets arrive as chars < 256
                if (c > 0xFF) throw bad(what + " holds a character that is not a byte: " + quote(String.valueOf(c)));
                bytes.write(c);
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            throw bad(what + " is not valid UTF-8 once percent-decoded (keys are UTF-8 text)");
        }
    }

    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) if (s.charAt(i) >= 0x80) return false;
        return true;
    }

    private static String quote(String s) {
        String shown = s.length() > 64 ? s.substring(0, 64) + "..." : s;
        return "'" + shown + "'";
    }

    private static RequestException bad(String message) {
        return new RequestException(400, "bad_request", message);
    }
}
