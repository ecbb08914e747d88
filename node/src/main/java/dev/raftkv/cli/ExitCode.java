package dev.raftkv.cli;

/**
 * The CLI's exit statuses (README, "Exit statuses"): one number per kind of outcome, so that scripts can tell a
 * missing key from a cluster that is down and from a write whose outcome is unknown.
 */
enum ExitCode {
    /** It worked. */
    OK(0),
    /** The answer is no: the key is absent, the compare failed, the failure branch of a transaction ran. */
    NO(1),
    /** The request or the command line is wrong (a bad flag, file or value, HTTP 400/401/403/405/413...): fix it. */
    USAGE(2),
    /** Nothing was done: no member answered, no leader, overloaded (HTTP 503). Safe to retry. */
    UNAVAILABLE(3),
    /** A write was sent but its outcome is unknown (HTTP 504): it may still take effect. */
    OUTCOME_UNKNOWN(4),
    /** The node failed in a way it did not foresee (HTTP 500): a bug to report. */
    INTERNAL(5);

    final int code;

    ExitCode(int code) {
        this.code = code;
    }

    /** The status for an HTTP answer that is not a 2xx. */
    static ExitCode ofHttp(int status) {
        if (status == 404 || status == 409) return NO;
        if (status == 503 || status == 408) return UNAVAILABLE;
        if (status == 504) return OUTCOME_UNKNOWN;
        if (status >= 500) return INTERNAL;
        return USAGE;
    }
}
