#include "libs/scoring/vector_math.h"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>

// The kernels pass GCC vector types by value between always-inlined
// functions of this file only; the ABI note about 32-byte vectors without
// AVX concerns calls across translation units, of which there are none.
#pragma GCC diagnostic ignored "-Wpsabi"

namespace innoscope::scoring {
namespace {

// Four doubles, and four 64-bit integers for their bits (GCC vector
// extensions: one AVX2 register, or two SSE2 registers on the baseline).
typedef double V __attribute__((vector_size(32)));
typedef int64_t I __attribute__((vector_size(32)));
constexpr size_t kLanes = 4;

#define INNOSCOPE_INLINE __attribute__((always_inline)) inline

// The kernels below are written once for D = V (four lanes, masks I) and
// D = double (one value, masks bool), the same operations in the same order
// either way, so Log(x) is LogArray's result for x bit for bit.
template <typename D>
struct Lanes;
template <>
struct Lanes<V> {
  using Ints = I;
  using Mask = I;
};
template <>
struct Lanes<double> {
  using Ints = int64_t;
  using Mask = bool;
};

INNOSCOPE_INLINE V AsDoubles(I i) { return reinterpret_cast<V>(i); }
INNOSCOPE_INLINE I AsInts(V v) { return reinterpret_cast<I>(v); }
INNOSCOPE_INLINE double AsDoubles(int64_t i) {
  double d;
  std::memcpy(&d, &i, sizeof d);
  return d;
}
INNOSCOPE_INLINE int64_t AsInts(double d) {
  int64_t i;
  std::memcpy(&i, &d, sizeof i);
  return i;
}
INNOSCOPE_INLINE V Select(I mask, V a, V b) {
  return AsDoubles((AsInts(a) & mask) | (AsInts(b) & ~mask));
}
INNOSCOPE_INLINE double Select(bool mask, double a, double b) { return mask ? a : b; }
// Lanes true in both masks (a logical and for the one-value kernels).
INNOSCOPE_INLINE I Both(I a, I b) { return a & b; }
INNOSCOPE_INLINE bool Both(bool a, bool b) { return a && b; }
template <typename D>
INNOSCOPE_INLINE D All(double x);
template <>
INNOSCOPE_INLINE V All<V>(double x) {
  return V{x, x, x, x};
}
template <>
INNOSCOPE_INLINE double All<double>(double x) {
  return x;
}

// ln 2 in two parts: kLn2Hi has its low 32 bits zero, so k * kLn2Hi is
// exact for |k| < 2^20 (fdlibm's ln2HI, ln2LO).
constexpr double kLn2Hi = 6.93147180369123816490e-01;
constexpr double kLn2Lo = 1.90821492927058770002e-10;
// 1.5 * 2^52: x + kRound - kRound rounds x to an integer (round to nearest),
// which then sits in the low bits of x + kRound.
constexpr double kRound = 6755399441055744.0;

// exp of each lane; ok: the lanes computed here (|x| <= 708).
template <typename D, typename M = typename Lanes<D>::Mask>
INNOSCOPE_INLINE D ExpKernel(D x, M& ok) {
  using N = typename Lanes<D>::Ints;
  ok = Both(x >= All<D>(-708.0), x <= All<D>(708.0));
  const D xs = Select(ok, x, All<D>(0.0));
  const D t = xs * All<D>(1.44269504088896338700e+00) + All<D>(kRound);  // x / ln2 + kRound
  const D k = t - All<D>(kRound);
  const D hi = xs - k * All<D>(kLn2Hi);
  const D lo = k * All<D>(kLn2Lo);
  const D r = hi - lo;
  const D z = r * r;
  const D c = r - z * (All<D>(1.66666666666666019037e-01) +
                       z * (All<D>(-2.77777777770155933842e-03) +
                            z * (All<D>(6.61375632143793436117e-05) +
                                 z * (All<D>(-1.65339022054652515390e-06) +
                                      z * All<D>(4.13813679705723846039e-08)))));
  const D y = All<D>(1.0) - ((lo - (r * c) / (All<D>(2.0) - c)) - hi);
  // 2^k: k + 1023 in the exponent bits (k in -1021..1022 here).
  const N k_int = AsInts(t) - AsInts(All<D>(kRound));
  return y * AsDoubles((k_int + 1023) << 52);
}

// log of each lane; ok: the lanes computed here (positive, normal, finite).
template <typename D, typename M = typename Lanes<D>::Mask>
INNOSCOPE_INLINE D LogKernel(D x, M& ok) {
  using N = typename Lanes<D>::Ints;
  const N bits = AsInts(x);
  ok = Both(bits >= 0x0010000000000000LL, bits < 0x7ff0000000000000LL);
  // hx: the high 20 bits of the mantissa. Scale the mantissa into
  // [sqrt(2)/2, sqrt(2)): i is 0x100000 when it is at least sqrt(2) (then
  // halved and k one more), as in fdlibm.
  const N hx = (bits >> 32) & 0x000fffff;
  const N i = (hx + 0x95f64) & 0x100000;
  const D m = AsDoubles(((hx | (i ^ 0x3ff00000)) << 32) | (bits & 0xffffffffLL));
  const N k = ((bits >> 52) & 0x7ff) - 1023 + (i >> 20);
  const D dk = AsDoubles(k + AsInts(All<D>(kRound))) - All<D>(kRound);  // exact: |k| < 2^11
  const D f = m - All<D>(1.0);
  const D s = f / (All<D>(2.0) + f);
  const D z = s * s;
  const D w = z * z;
  const D t1 = w * (All<D>(3.999999999940941908e-01) +
                    w * (All<D>(2.222219843214978396e-01) + w * All<D>(1.531383769920937332e-01)));
  const D t2 =
      z * (All<D>(6.666666666666735130e-01) +
           w * (All<D>(2.857142874366239149e-01) +
                w * (All<D>(1.818357216161805012e-01) + w * All<D>(1.479819860511658591e-01))));
  const D big_r = t2 + t1;
  const M large_f = ((hx - 0x6147a) | (0x6b851 - hx)) > 0;
  const D hfsq = All<D>(0.5) * f * f;
  const D with_hfsq =
      dk * All<D>(kLn2Hi) - ((hfsq - (s * (hfsq + big_r) + dk * All<D>(kLn2Lo))) - f);
  const D without = dk * All<D>(kLn2Hi) - ((s * (f - big_r) - dk * All<D>(kLn2Lo)) - f);
  return Select(large_f, with_hfsq, without);
}

double StdLog(double x) { return std::log(x); }
double StdExp(double x) { return std::exp(x); }

// kernel(v) into out, lanes the kernel leaves to `fallback` (the standard
// library) fixed afterwards.
// Returns false when a result is NaN or -inf (a kernel lane never is).
template <V (*kKernel)(V, I&), double (*kFallback)(double)>
INNOSCOPE_INLINE bool Step(V v, double* out) {
  I ok;
  const V result = kKernel(v, ok);
  std::memcpy(out, &result, sizeof result);
  bool numbers = true;
  if ((ok[0] & ok[1] & ok[2] & ok[3]) == 0) {
    for (size_t lane = 0; lane < kLanes; ++lane) {
      if (ok[lane] != 0) continue;
      out[lane] = kFallback(v[lane]);
      numbers &= out[lane] > -std::numeric_limits<double>::infinity();
    }
  }
  return numbers;
}

// out[i] = kernel(x[i]). A column whose length is not a multiple of four
// ends with the vector of its last four values, read before any is
// written (out may be x) and overlapping the one before: each value is
// computed alone, so rewriting the overlap writes the same bits. Fewer
// than four values are padded with 1 (in both kernels' ranges).
template <V (*kKernel)(V, I&), double (*kFallback)(double)>
INNOSCOPE_INLINE bool Apply(const double* x, size_t n, double* out) {
  if (n < kLanes) {
    V v = All<V>(1.0);
    for (size_t lane = 0; lane < n; ++lane) v[lane] = x[lane];
    double result[kLanes];
    const bool numbers = Step<kKernel, kFallback>(v, result);
    for (size_t lane = 0; lane < n; ++lane) out[lane] = result[lane];
    return numbers;
  }
  V last;
  std::memcpy(&last, x + n - kLanes, sizeof last);
  bool numbers = true;
  size_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    V v;
    std::memcpy(&v, x + i, sizeof v);
    numbers &= Step<kKernel, kFallback>(v, out + i);
  }
  if (i < n) numbers &= Step<kKernel, kFallback>(last, out + n - kLanes);
  return numbers;
}

// One build for AVX2, one for the x86-64 baseline, chosen at load time
// (GCC function multiversioning); the same operations, so the same results.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define INNOSCOPE_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define INNOSCOPE_CLONES
#endif

INNOSCOPE_CLONES bool LogLoop(const double* x, size_t n, double* out) {
  return Apply<LogKernel<V>, StdLog>(x, n, out);
}
INNOSCOPE_CLONES void ExpLoop(const double* x, size_t n, double* out) {
  Apply<ExpKernel<V>, StdExp>(x, n, out);
}

}  // namespace

bool LogArray(absl::Span<const double> x, absl::Span<double> out) {
  return LogLoop(x.data(), x.size() < out.size() ? x.size() : out.size(), out.data());
}

void ExpArray(absl::Span<const double> x, absl::Span<double> out) {
  ExpLoop(x.data(), x.size() < out.size() ? x.size() : out.size(), out.data());
}

double Log(double x) {
  bool ok;
  const double result = LogKernel<double>(x, ok);
  return ok ? result : std::log(x);
}

double Exp(double x) {
  bool ok;
  const double result = ExpKernel<double>(x, ok);
  return ok ? result : std::exp(x);
}

}  // namespace innoscope::scoring
