package dev.raftkv.transport;

/**
 * A frame that does not follow the wire format: bad type byte, a length beyond what the frame holds
 * or a limit allows, invalid UTF-8, trailing bytes. Checked, so that every decoder caller decides
 * what to do (the transport closes that one connection); decoders throw nothing else on bad input.
 */
public final class MalformedFrameException extends Exception {
    public MalformedFrameException(String reason) {
        super(reason);
    }
}
