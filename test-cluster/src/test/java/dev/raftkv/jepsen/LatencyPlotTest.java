package dev.raftkv.jepsen;

import dev.raftkv.check.Op;
import dev.raftkv.check.Outcome;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The latency plot is a well-formed page whose points and shaded bands are the run's operations and faults. */
class LatencyPlotTest {
    static final long S = 1_000_000_000L;

    /** Parses the page as XML (it is XHTML) and returns it. */
    static Document parse(String html) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        return f.newDocumentBuilder().parse(new ByteArrayInputStream(html.getBytes(StandardCharsets.UTF_8)));
    }

    static List<Element> elements(Document d, String tag, String cssClass) {
        List<Element> out = new ArrayList<>();
        NodeList all = d.getElementsByTagName(tag);
        for (int i = 0; i < all.getLength(); i++) {
            Element e = (Element) all.item(i);
            if (cssClass.equals(e.getAttribute("class"))) out.add(e);
        }
        return out;
    }

    @Test
    void pointsAreColouredByOutcomeAndFaultsAreShaded() throws Exception {
        List<ClientOp> ops = List.of(
                new ClientOp(Op.put(0, "k", "a", 1 * S, 1 * S + 2_000_000, Outcome.OK), "n1", null),
                new ClientOp(Op.get(0, "k", "a", 2 * S, 2 * S + 500_000, Outcome.OK), "n2", "lease"),
                new ClientOp(Op.put(1, "k", "b", 3 * S, 3 * S + 100_000_000, Outcome.FAIL), "n3", null),
                new ClientOp(Op.putUnknown(2, "k", "c<&>", 4 * S), "n1", null));
        List<FaultPeriod> faults = List.of(
                new FaultPeriod("kill", "kill -9 n2", 2 * S, 5 * S),
                new FaultPeriod("clock", "clock n1 runs at 0.900x", 3 * S, 8 * S));
        Document d = parse(LatencyPlot.html(ops, faults, 10 * S, "verify: linearizable, 4 ops, 2 faults, 0 lost writes"));

        assertThat(elements(d, "circle", "ok")).hasSize(2);
        assertThat(elements(d, "circle", "fail")).hasSize(1);
        assertThat(elements(d, "circle", "unknown")).singleElement()
                .satisfies(e -> assertThat(e.getTextContent()).contains("\"c<&>\"", "on n1"));
        List<Element> bands = elements(d, "rect", "fault");
        assertThat(bands).extracting(e -> e.getAttribute("data-what")).containsExactly("kill -9 n2", "clock n1 runs at 0.900x");
        assertThat(bands).extracting(e -> e.getAttribute("data-kind")).containsExactly("kill", "clock");
        assertThat(bands.get(0).getAttribute("data-start-s")).isEqualTo("2.000");
        assertThat(bands.get(0).getAttribute("data-end-s")).isEqualTo("5.000");
        // the kill band starts a fifth of the way along the plot and spans three tenths of it
        double x = Double.parseDouble(bands.get(0).getAttribute("x"));
        double w = Double.parseDouble(bands.get(0).getAttribute("width"));
        assertThat(w / x).isCloseTo((3 * 102.0) / (70 + 204), org.assertj.core.data.Offset.offset(0.01));
        assertThat(d.getElementsByTagName("script").getLength()).as("self-contained, no scripts").isZero();
    }
}
