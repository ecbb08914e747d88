package dev.raftkv.jepsen;

import dev.raftkv.check.Op;
import dev.raftkv.check.Outcome;

import java.util.List;
import java.util.Locale;

/**
 * The latency-over-time plot of a verify run: one self-contained page (well-formed XHTML with an inline
 * SVG, no scripts, no external files) with a point per operation at the time it was invoked and the
 * latency it saw, coloured by outcome, over the fault periods shaded by kind. Operations that never got
 * an answer sit on the top line. Hovering a point or a band shows what it was.
 */
final class LatencyPlot {
    static final String OK_COLOR = "#2b8a3e";
    static final String FAIL_COLOR = "#e8590c";
    static final String UNKNOWN_COLOR = "#c2255c";

    private static final int LEFT = 70;
    private static final int TOP = 20;
    private static final int WIDTH = 1020;
    private static final int HEIGHT = 400;
    private static final int LANE = 10;
    private static final List<String> KINDS = List.of("kill", "pause", "partition", "clock");
    /** The y axis is logarithmic from 0.1 ms to 20 s; the band above it holds operations with no answer. */
    private static final double MIN_MS = 0.1;
    private static final double MAX_MS = 20_000;
    private static final int NO_ANSWER_Y = TOP + 6;
    private static final int PLOT_TOP = TOP + 16;

    private LatencyPlot() {
    }

    static String html(List<ClientOp> ops, List<FaultPeriod> faults, long endNanos, String verdictLine) {
        double end = Math.max(endNanos, 1);
        int lanesTop = TOP + HEIGHT + 30;
        int svgHeight = lanesTop + KINDS.size() * (LANE + 4) + 10;
        StringBuilder sb = new StringBuilder(64 * ops.size() + 4096);
        sb.append("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n")
                .append("<meta charset=\"utf-8\"/>\n<title>raftkv verify: latency over time</title>\n")
                .append("<style>body{font:14px sans-serif;margin:16px} svg text{font:11px sans-serif}")
                .append(" .ok{fill:").append(OK_COLOR).append("} .fail{fill:").append(FAIL_COLOR)
                .append("} .unknown{fill:").append(UNKNOWN_COLOR).append("} .axis{stroke:#333;stroke-width:1}")
                .append(" .grid{stroke:#ddd;stroke-width:1} .legend span{display:inline-block;margin-right:14px}")
                .append(" .swatch{display:inline-block;width:12px;height:12px;margin-right:4px;vertical-align:middle}</style>\n")
                .append("</head>\n<body>\n<h1>Latency over time</h1>\n<p id=\"verdict\">").append(esc(verdictLine)).append("</p>\n");
        legend(sb, ops);
        sb.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(LEFT + WIDTH + 20).append("\" height=\"")
                .append(svgHeight).append("\" viewBox=\"0 0 ").append(LEFT + WIDTH + 20).append(' ').append(svgHeight).append("\">\n");

        // fault periods: a faint band over the plot, and a solid bar in the fault's lane below it
        sb.append("<g id=\"faults\">\n");
        for (FaultPeriod f : faults) {
            double x0 = x(f.startNanos(), end);
            double w = Math.max(1, x(f.endNanos(), end) - x0);
            int lane = Math.max(0, KINDS.indexOf(f.kind()));
            String title = String.format(Locale.ROOT, "%s (%.1f s to %.1f s)", f.what(), f.startNanos() / 1e9, f.endNanos() / 1e9);
            sb.append(String.format(Locale.ROOT,
                    "<rect class=\"fault\" data-kind=\"%s\" data-what=\"%s\" data-start-s=\"%.3f\" data-end-s=\"%.3f\""
                            + " x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\" fill-opacity=\"0.13\"><title>%s</title></rect>\n",
                    esc(f.kind()), esc(f.what()), f.startNanos() / 1e9, f.endNanos() / 1e9, x0, PLOT_TOP, w, TOP + HEIGHT - PLOT_TOP,
                    kindColor(f.kind()), esc(title)));
            sb.append(String.format(Locale.ROOT,
                    "<rect class=\"lane\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"><title>%s</title></rect>\n",
                    x0, lanesTop + lane * (LANE + 4), w, LANE, kindColor(f.kind()), esc(title)));
        }
        sb.append("</g>\n");
        axes(sb, end, lanesTop);

        sb.append("<g id=\"ops\">\n");
        for (ClientOp c : ops) {
            Op op = c.op();
            Outcome o = op.effectiveOutcome();
            String cls = o == Outcome.OK ? "ok" : o == Outcome.FAIL ? "fail" : "unknown";
            double cx = x(op.invoke(), end);
            double cy = op.complete() == Op.NEVER ? NO_ANSWER_Y : y((op.complete() - op.invoke()) / 1e6);
            sb.append(String.format(Locale.ROOT, "<circle class=\"%s\" cx=\"%.1f\" cy=\"%.1f\" r=\"1.7\"><title>%s%s</title></circle>\n",
                    cls, cx, cy, esc(op.describe()), c.node() == null ? "" : esc(" on " + c.node()
                            + (c.consistency() == null ? "" : " (" + c.consistency() + ")"))));
        }
        sb.append("</g>\n</svg>\n");
        sb.append("<p>x: seconds since the run started (when the operation was invoked); y: latency, logarithmic; ")
                .append("top line: no answer. Bands: fault periods (lanes below the axis, one per kind). Times are the ")
                .append("harness's, as in timeline.txt and history.jsonl (nanoseconds there).</p>\n</body>\n</html>\n");
        return sb.toString();
    }

    private static void legend(StringBuilder sb, List<ClientOp> ops) {
        long ok = ops.stream().filter(c -> c.op().effectiveOutcome() == Outcome.OK).count();
        long fail = ops.stream().filter(c -> c.op().effectiveOutcome() == Outcome.FAIL).count();
        long unknown = ops.size() - ok - fail;
        sb.append("<p class=\"legend\">");
        swatch(sb, OK_COLOR, "ok (" + ok + ")");
        swatch(sb, FAIL_COLOR, "fail: not applied (" + fail + ")");
        swatch(sb, UNKNOWN_COLOR, "unknown: timeout, 504, lost connection (" + unknown + ")");
        for (String k : KINDS) swatch(sb, kindColor(k), k);
        sb.append("</p>\n");
    }

    private static void swatch(StringBuilder sb, String color, String label) {
        sb.append("<span><span class=\"swatch\" style=\"background:").append(color).append("\"></span>").append(esc(label)).append("</span>");
    }

    private static void axes(StringBuilder sb, double end, int lanesTop) {
        sb.append("<g id=\"axes\">\n");
        for (double ms = MIN_MS; ms <= MAX_MS; ms *= 10) {
            double yy = y(ms);
            sb.append(String.format(Locale.ROOT, "<line class=\"grid\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>", LEFT, yy, LEFT + WIDTH, yy))
                    .append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n", LEFT - 6, yy + 4,
                            ms < 1 ? "0.1 ms" : ms < 1000 ? (long) ms + " ms" : (long) (ms / 1000) + " s"));
        }
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">no answer</text>\n", LEFT - 6, NO_ANSWER_Y + 4));
        double seconds = end / 1e9;
        double step = niceStep(seconds);
        for (double t = 0; t <= seconds + 1e-9; t += step) {
            double xx = x((long) (t * 1e9), end);
            sb.append(String.format(Locale.ROOT, "<line class=\"grid\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>", xx, PLOT_TOP, xx, TOP + HEIGHT))
                    .append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s s</text>\n", xx, TOP + HEIGHT + 16,
                            step < 1 ? String.format(Locale.ROOT, "%.1f", t) : Long.toString(Math.round(t))));
        }
        sb.append(String.format(Locale.ROOT, "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>", LEFT, TOP, LEFT, TOP + HEIGHT))
                .append(String.format(Locale.ROOT, "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n", LEFT, TOP + HEIGHT, LEFT + WIDTH, TOP + HEIGHT));
        for (int i = 0; i < KINDS.size(); i++) {
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>\n",
                    LEFT - 6, lanesTop + i * (LANE + 4) + LANE - 1, KINDS.get(i)));
        }
        sb.append("</g>\n");
    }

    private static double niceStep(double seconds) {
        for (double s : new double[]{0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600}) {
            if (seconds / s <= 12) return s;
        }
        return 1200;
    }

    private static double x(long nanos, double end) {
        return LEFT + WIDTH * Math.min(1, Math.max(0, nanos / end));
    }

    private static double y(double ms) {
        double f = (Math.log10(Math.max(MIN_MS, Math.min(MAX_MS, ms))) - Math.log10(MIN_MS)) / (Math.log10(MAX_MS) - Math.log10(MIN_MS));
        return TOP + HEIGHT - f * (TOP + HEIGHT - PLOT_TOP);
    }

    static String kindColor(String kind) {
        return switch (kind) {
            case "kill" -> "#e03131";
            case "pause" -> "#1c7ed6";
            case "partition" -> "#f59f00";
            case "clock" -> "#7048e8";
            default -> "#868e96";
        };
    }

    private static String esc(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (char ch : s.toCharArray()) {
            switch (ch) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(ch);
            }
        }
        return out.toString();
    }
}
