package dev.convey.benchmarks;

/**
 * A performance target and whether a measurement meets it, e.g. "VGG16 inference, batch 1: >= 70 % of peak".
 * {@code atLeast} targets are met by values at or above the goal, the others by values at or below it.
 */
record Target(String what, double goal, boolean atLeast, String unit) {

    static Target atLeast(String what, double goal, String unit) {
        return new Target(what, goal, true, unit);
    }

    static Target atMost(String what, double goal, String unit) {
        return new Target(what, goal, false, unit);
    }

    boolean isMet(double measured) {
        return atLeast ? measured >= goal : measured <= goal;
    }

    /** "&gt;= 70 %". */
    String goalText() {
        return (atLeast ? ">= " : "<= ") + format(goal);
    }

    /** "met, by 3.1 %" or "MISSED, by 12 %": how far the measurement is on the right or wrong side of the goal. */
    String verdict(double measured) {
        if (Double.isNaN(measured)) {
            return "not measured";
        }
        return (isMet(measured) ? "met, by " : "MISSED, by ") + format(Math.abs(measured - goal));
    }

    /** A value in this target's unit, with about three significant digits. */
    String format(double value) {
        return ResultsReport.number(value) + (unit.isEmpty() ? "" : " " + unit);
    }
}
