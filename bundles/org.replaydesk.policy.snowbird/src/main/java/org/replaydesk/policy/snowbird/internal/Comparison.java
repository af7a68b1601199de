package org.replaydesk.policy.snowbird.internal;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/** The operators of a profile condition ({@code "op"}). Every one of them is false when the reading is NaN. */
enum Comparison {
    LESS("<"),
    LESS_OR_EQUAL("<="),
    GREATER(">"),
    GREATER_OR_EQUAL(">="),
    EQUAL("=="),
    NOT_EQUAL("!=");

    private final String symbol;

    Comparison(String symbol) {
        this.symbol = symbol;
    }

    /** @return how a profile writes it */
    String symbol() {
        return symbol;
    }

    /**
     * @param reading a sensor reading, possibly NaN
     * @param threshold the condition's value (finite)
     * @return whether the condition holds; false for an unknown (NaN) reading
     */
    boolean test(double reading, double threshold) {
        if (Double.isNaN(reading)) {
            // spelled out because Java's != would be true for NaN: unknown never satisfies a condition
            return false;
        }
        return switch (this) {
            case LESS -> reading < threshold;
            case LESS_OR_EQUAL -> reading <= threshold;
            case GREATER -> reading > threshold;
            case GREATER_OR_EQUAL -> reading >= threshold;
            case EQUAL -> reading == threshold;
            case NOT_EQUAL -> reading != threshold;
        };
    }

    /**
     * @param symbol an operator from a profile
     * @return the comparison it names
     */
    static Optional<Comparison> bySymbol(String symbol) {
        return Arrays.stream(values()).filter(c -> c.symbol.equals(symbol)).findFirst();
    }

    /** @return every operator, comma-separated, for error messages */
    static String knownSymbols() {
        return Arrays.stream(values()).map(Comparison::symbol).collect(Collectors.joining(", "));
    }
}
