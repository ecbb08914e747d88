package dev.raftkv.transport;

import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WireReaderTest {

    private static WireReader reader(int... bytes) {
        byte[] b = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) b[i] = (byte) bytes[i];
        return new WireReader(Unpooled.wrappedBuffer(b));
    }

    @Test
    void readsWellFormedUtf8() throws Exception {
        assertThat(reader(0, 4, 0xF0, 0x9F, 0x98, 0x80).readString("id", 255)).isEqualTo("\uD83D\uDE00");
        assertThat(reader(0, 0).readString("id", 255)).isEmpty();
    }

    @Test
    void refusesUtf8ThatIsNotText() {
        // an encoded surrogate, an overlong NUL, a code point above U+10FFFF, a lone continuation byte
        assertThatThrownBy(() -> reader(0, 3, 0xED, 0xA0, 0x80).readString("id", 255)).hasMessageContaining("UTF-8");
        assertThatThrownBy(() -> reader(0, 2, 0xC0, 0x80).readString("id", 255)).hasMessageContaining("UTF-8");
        assertThatThrownBy(() -> reader(0, 4, 0xF4, 0x90, 0x80, 0x80).readString("id", 255)).hasMessageContaining("UTF-8");
        assertThatThrownBy(() -> reader(0, 1, 0x80).readString("id", 255)).hasMessageContaining("UTF-8");
    }

    @Test
    void refusesLengthsBeyondTheLimitOrTheFrame() {
        assertThatThrownBy(() -> reader(1, 0).readString("id", 255))
                .isInstanceOf(MalformedFrameException.class).hasMessageContaining("limit 255");
        assertThatThrownBy(() -> reader(0, 5, 'a').readString("id", 255))
                .isInstanceOf(MalformedFrameException.class).hasMessageContaining("needs 5 bytes");
        assertThatThrownBy(() -> reader(0x7F, 0xFF, 0xFF, 0xFF).readBytes("data", Integer.MAX_VALUE))
                .isInstanceOf(MalformedFrameException.class).hasMessageContaining("needs");
        assertThatThrownBy(() -> reader(0xFF, 0xFF, 0xFF, 0xFF).readBytes("data", 100))
                .isInstanceOf(MalformedFrameException.class).hasMessageContaining("length -1");
    }

    @Test
    void refusesCountsTheFrameCannotHold() {
        assertThatThrownBy(() -> reader(0, 0, 0, 3, 1, 2, 3, 4, 5).readCount("entries", 2))
                .isInstanceOf(MalformedFrameException.class).hasMessageContaining("count 3");
        assertThatThrownBy(() -> reader(0x7F, 0xFF, 0xFF, 0xFF).readCount("entries", 21))
                .isInstanceOf(MalformedFrameException.class);
    }

    @Test
    void booleansAreZeroOrOne() {
        assertThatThrownBy(() -> reader(2).readBoolean("granted")).hasMessageContaining("boolean byte 2");
    }
}
