package dev.raftkv.raft;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** CONFIG entry bytes: format 2 (i32 length + UTF-8) written and read, format 1 (writeUTF) of older logs still read. */
class ClusterConfigCodecTest {
    private static final ClusterConfig CONFIG = new ClusterConfig(Set.of("n1", "n2"), Set.of("n3"),
            Map.of("n1", "raft=10.0.0.1:7000", "n3", "raft=[::1]:7002 client=h\u00e9te-\uD83D\uDE00:9000"));

    @Test
    void aConfigRoundTripsInFormat2() {
        byte[] bytes = ClusterConfigCodec.encode(CONFIG);
        assertThat(bytes[0]).isEqualTo((byte) 2);
        assertThat(ClusterConfigCodec.decode(bytes)).isEqualTo(CONFIG);
        assertThat(ClusterConfigCodec.encode(ClusterConfig.ofVoters("b", "a")))
                .as("equal configs, equal bytes").isEqualTo(ClusterConfigCodec.encode(ClusterConfig.ofVoters("a", "b")));
    }

    @Test
    void stringsAreAnI32LengthAndPlainUtf8() {
        byte[] bytes = ClusterConfigCodec.encode(ClusterConfig.ofVoters("\uD83D\uDE00"));
        byte[] utf8 = "\uD83D\uDE00".getBytes(StandardCharsets.UTF_8); // 4 bytes; modified UTF-8 takes 6
        // format, voter count 1, length 4, the bytes, learner count 0, endpoint count 0
        assertThat(bytes).containsExactly(concat(new byte[]{2, 0, 0, 0, 1, 0, 0, 0, 4}, utf8, new byte[8]));
    }

    @Test
    void anEndpointPast64KiBFits() {
        String huge = "raft=" + "h".repeat(70_000) + ":7000";
        ClusterConfig c = new ClusterConfig(Set.of("n1"), Set.of(), Map.of("n1", huge));
        assertThat(ClusterConfigCodec.decode(ClusterConfigCodec.encode(c)).endpoints()).containsEntry("n1", huge);
    }

    @Test
    void anEntryWrittenWithWriteUtfByAnOlderBuildIsStillRead() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(1);
            out.writeInt(2);
            out.writeUTF("n1");
            out.writeUTF("n2");
            out.writeInt(1);
            out.writeUTF("n3");
            out.writeInt(2);
            out.writeUTF("n1");
            out.writeUTF("raft=10.0.0.1:7000");
            out.writeUTF("n3");
            out.writeUTF("raft=[::1]:7002 client=h\u00e9te-\uD83D\uDE00:9000");
        }
        assertThat(ClusterConfigCodec.decode(bytes.toByteArray())).isEqualTo(CONFIG);
    }

    @Test
    void anUnknownFormatIsRefusedByItsNumber() {
        byte[] bytes = ClusterConfigCodec.encode(CONFIG);
        bytes[0] = 9;
        assertThatThrownBy(() -> ClusterConfigCodec.decode(bytes)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("membership format 9 is not supported");
    }

    @Test
    void damagedBytesAreRefusedNotMisread() {
        byte[] bytes = ClusterConfigCodec.encode(ClusterConfig.ofVoters("n1"));
        byte[] notUtf8 = bytes.clone();
        notUtf8[9] = (byte) 0xFF; // the first byte of "n1"
        assertThatThrownBy(() -> ClusterConfigCodec.decode(notUtf8)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not UTF-8");
        byte[] cut = java.util.Arrays.copyOf(bytes, bytes.length - 3);
        assertThatThrownBy(() -> ClusterConfigCodec.decode(cut)).isInstanceOf(IllegalArgumentException.class);
        byte[] longer = java.util.Arrays.copyOf(bytes, bytes.length + 1);
        assertThatThrownBy(() -> ClusterConfigCodec.decode(longer)).hasMessageContaining("1 bytes after the membership");
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) out.writeBytes(p);
        return out.toByteArray();
    }
}
