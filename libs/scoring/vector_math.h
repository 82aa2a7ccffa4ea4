#pragma once

// The natural logarithm and exponential used by the geometric mean
// (aggregation.h) and the uncertainty model, over whole columns at once
// (vectorised) and one value at a time, with the same result either way.
//
//   std::vector<double> logs(values.size());
//   LogArray(values, absl::MakeSpan(logs));   // logs[i] == Log(values[i])
//   double mean = Exp(0.5 * Log(a) + 0.5 * Log(b));
//
// Why not std::log and std::exp: a Monte Carlo replicate of a geometric
// aggregation is bound by them (a call each per region and node, ~5 ns), and
// numpy, the benchmark's peer, evaluates them with SIMD. These compute four
// values per step and are two to three times faster on whole columns.
// Because the same function gives a node's score whether it is aggregated
// one region at a time (Aggregate) or a column at a time (the uncertainty
// model's replicates), the two stay equal bit for bit.
//
// Method (Sun's fdlibm, e_exp.c and e_log.c, 1993; the same reductions and
// minimax polynomials, without branches):
//   Exp(x)  x = k ln2 + r with k = round(x / ln2), |r| <= ln2 / 2 (ln2 in two
//           parts so that k ln2_hi is exact); exp(r) = 1 + r + r c / (2 - c),
//           c = r - r^2 P(r^2), P of degree 4; times 2^k built in the bits.
//   Log(x)  x = 2^k (1 + f), sqrt(2)/2 < 1 + f < sqrt(2); s = f / (2 + f);
//           log(1 + f) = f - s (f - R(s^2)) (or with f^2 / 2 split off when
//           f is large), R of degree 7; plus k ln2 in two parts.
// Error below 1 ulp (fdlibm's bound; vector_math_test measures at most 1
// ulp against glibc over 2^20 arguments). Only IEEE additions,
// multiplications, divisions and integer bit operations, no fused
// multiply-add (the file is compiled with -ffp-contract=off): the result is
// the same on every x86-64 machine, whatever vector width the CPU offers
// (an AVX2 and a baseline SSE2 build of the loops are selected at load
// time). Arguments outside the reduced ranges (Exp: |x| > 708, NaN; Log:
// zero, negative, subnormal, infinite, NaN) go to std::exp / std::log, so
// infinities, NaN, zero and subnormal results are the standard library's.
//
// Complexity: O(n) for n values; no allocation.

#include "absl/types/span.h"

namespace innoscope::scoring {

// out[i] = Log(x[i]); out.size() must equal x.size(); out may be x.
// Returns false when some x[i] is not above 0 (zero, negative or NaN: its
// log is -inf or NaN), the geometric mean's domain check for free.
bool LogArray(absl::Span<const double> x, absl::Span<double> out);
// out[i] = Exp(x[i]); out.size() must equal x.size(); out may be x.
void ExpArray(absl::Span<const double> x, absl::Span<double> out);

double Log(double x);
double Exp(double x);

}  // namespace innoscope::scoring
