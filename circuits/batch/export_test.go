package batch

// CeilDivHint is the deleverage's loss hint, for tests that replace it (a prover who answers another loss).
var CeilDivHint = ceilDivHint
