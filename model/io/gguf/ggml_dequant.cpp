#include "model/io/gguf/ggml_dequant.hpp"

#include <bit>
#include <cstdint>
#include <cstring>

namespace ssmscope::model {

namespace {

// GGUF is little-endian, as every machine ssmscope builds for.
static_assert(std::endian::native == std::endian::little);

std::uint16_t u16(const std::uint8_t* p) {
    std::uint16_t v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

std::uint32_t u32(const std::uint8_t* p) {
    std::uint32_t v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

float f16(const std::uint8_t* p) {
    return half_to_float(u16(p));
}

// Q4_0, Q5_0: 32 values; byte j of qs holds value j in its low nibble and value j + 16 in its
// high one. Q5 adds the fifth bit of value i as bit i of qh.
void q4_0(const std::uint8_t* b, float* y) {
    const float d = f16(b);
    const std::uint8_t* qs = b + 2;
    for (int j = 0; j < 16; ++j) {
        y[j] = d * static_cast<float>((qs[j] & 0x0F) - 8);
        y[j + 16] = d * static_cast<float>((qs[j] >> 4) - 8);
    }
}

void q4_1(const std::uint8_t* b, float* y) {
    const float d = f16(b), m = f16(b + 2);
    const std::uint8_t* qs = b + 4;
    for (int j = 0; j < 16; ++j) {
        y[j] = d * static_cast<float>(qs[j] & 0x0F) + m;
        y[j + 16] = d * static_cast<float>(qs[j] >> 4) + m;
    }
}

void q5_0(const std::uint8_t* b, float* y) {
    const float d = f16(b);
    const std::uint32_t qh = u32(b + 2);
    const std::uint8_t* qs = b + 6;
    for (int j = 0; j < 16; ++j) {
        const int lo = (qs[j] & 0x0F) | static_cast<int>(((qh >> j) & 1U) << 4);
        const int hi = (qs[j] >> 4) | static_cast<int>(((qh >> (j + 16)) & 1U) << 4);
        y[j] = d * static_cast<float>(lo - 16);
        y[j + 16] = d * static_cast<float>(hi - 16);
    }
}

void q5_1(const std::uint8_t* b, float* y) {
    const float d = f16(b), m = f16(b + 2);
    const std::uint32_t qh = u32(b + 4);
    const std::uint8_t* qs = b + 8;
    for (int j = 0; j < 16; ++j) {
        const int lo = (qs[j] & 0x0F) | static_cast<int>(((qh >> j) & 1U) << 4);
        const int hi = (qs[j] >> 4) | static_cast<int>(((qh >> (j + 16)) & 1U) << 4);
        y[j] = d * static_cast<float>(lo) + m;
        y[j + 16] = d * static_cast<float>(hi) + m;
    }
}

void q8_0(const std::uint8_t* b, float* y) {
    const float d = f16(b);
    for (int j = 0; j < 32; ++j)
        y[j] = d * static_cast<float>(static_cast<std::int8_t>(b[2 + j]));
}

// The eight 6-bit scales and mins of a Q4_K / Q5_K super-block, packed into 12 bytes: sub-blocks
// 0-3 in the low six bits of bytes 0-3 (scales) and 4-7 (mins); sub-blocks 4-7 in the nibbles of
// bytes 8-11 with their top two bits in the spare top bits of bytes 0-7.
void scale_min_k4(int j, const std::uint8_t* q, int& sc, int& m) {
    if (j < 4) {
        sc = q[j] & 63;
        m = q[j + 4] & 63;
    } else {
        sc = (q[j + 4] & 0x0F) | ((q[j - 4] >> 6) << 4);
        m = (q[j + 4] >> 4) | ((q[j] >> 6) << 4);
    }
}

// Q4_K: d, dmin, 12 scale bytes, 128 bytes of nibbles; each 32 bytes carry two sub-blocks of 32
// (low nibbles first). Q5_K adds 32 bytes of fifth bits before the nibbles: bit i of qh[l] is the
// fifth bit of value l of sub-block i.
void q45_k(const std::uint8_t* b, float* y, bool five) {
    const float d = f16(b), dmin = f16(b + 2);
    const std::uint8_t* scales = b + 4;
    const std::uint8_t* qh = b + 16;
    const std::uint8_t* qs = b + (five ? 48 : 16);
    for (int sub = 0; sub < 8; ++sub) {
        int sc = 0, m = 0;
        scale_min_k4(sub, scales, sc, m);
        const float ds = d * static_cast<float>(sc), dm = dmin * static_cast<float>(m);
        const std::uint8_t* q = qs + 32 * (sub / 2);
        const int shift = (sub % 2) * 4;
        for (int l = 0; l < 32; ++l) {
            int v = (q[l] >> shift) & 0x0F;
            if (five)
                v |= ((qh[l] >> sub) & 1) << 4;
            y[32 * sub + l] = ds * static_cast<float>(v) - dm;
        }
    }
}

// Q6_K: 128 bytes of low nibbles, 64 bytes of high 2-bit pairs, 16 int8 scales (one per 16
// values), then d. Each half of 128 values takes 64 nibble bytes and 32 pair bytes.
void q6_k(const std::uint8_t* b, float* y) {
    const std::uint8_t* ql = b;
    const std::uint8_t* qh = b + 128;
    const auto* sc = reinterpret_cast<const std::int8_t*>(b + 192);
    const float d = f16(b + 208);
    for (int half = 0; half < 2; ++half) {
        for (int l = 0; l < 32; ++l) {
            const int q1 = ((ql[l] & 0x0F) | (((qh[l] >> 0) & 3) << 4)) - 32;
            const int q2 = ((ql[l + 32] & 0x0F) | (((qh[l] >> 2) & 3) << 4)) - 32;
            const int q3 = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
            const int q4 = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
            const int is = l / 16;
            y[l] = d * static_cast<float>(sc[is]) * static_cast<float>(q1);
            y[l + 32] = d * static_cast<float>(sc[is + 2]) * static_cast<float>(q2);
            y[l + 64] = d * static_cast<float>(sc[is + 4]) * static_cast<float>(q3);
            y[l + 96] = d * static_cast<float>(sc[is + 6]) * static_cast<float>(q4);
        }
        y += 128;
        ql += 64;
        qh += 32;
        sc += 8;
    }
}

template <typename Block>
void blocks(std::span<const std::byte> in, std::span<float> out, std::size_t elems,
            std::size_t bytes, Block block) {
    const auto* p = reinterpret_cast<const std::uint8_t*>(in.data());
    for (std::size_t k = 0; k < out.size() / elems; ++k)
        block(p + k * bytes, out.data() + k * elems);
}

}  // namespace

float half_to_float(std::uint16_t h) {
    const std::uint32_t sign = static_cast<std::uint32_t>(h & 0x8000U) << 16;
    const std::uint32_t exp = (h >> 10) & 0x1FU;
    std::uint32_t mant = h & 0x3FFU;
    std::uint32_t bits = 0;
    if (exp == 0x1F) {
        bits = sign | 0x7F800000U | (mant << 13);  // inf, NaN (payload kept)
    } else if (exp != 0) {
        bits = sign | ((exp + 112) << 23) | (mant << 13);
    } else if (mant == 0) {
        bits = sign;
    } else {
        // A subnormal half is a normal float: shift the mantissa up to its leading one.
        int e = -1;
        do {
            ++e;
            mant <<= 1;
        } while ((mant & 0x400U) == 0);
        bits = sign | (static_cast<std::uint32_t>(112 - e) << 23) | ((mant & 0x3FFU) << 13);
    }
    return std::bit_cast<float>(bits);
}

float bf16_to_float(std::uint16_t bits) {
    return std::bit_cast<float>(static_cast<std::uint32_t>(bits) << 16);
}

void dequantize(GgmlType type, std::span<const std::byte> in, std::span<float> out) {
    const auto* p = reinterpret_cast<const std::uint8_t*>(in.data());
    switch (type) {
        case GgmlType::F32:
            std::memcpy(out.data(), p, out.size() * sizeof(float));
            return;
        case GgmlType::F64:
            for (std::size_t i = 0; i < out.size(); ++i) {
                double v;
                std::memcpy(&v, p + 8 * i, sizeof v);
                out[i] = static_cast<float>(v);
            }
            return;
        case GgmlType::F16:
            for (std::size_t i = 0; i < out.size(); ++i)
                out[i] = half_to_float(u16(p + 2 * i));
            return;
        case GgmlType::BF16:
            for (std::size_t i = 0; i < out.size(); ++i)
                out[i] = bf16_to_float(u16(p + 2 * i));
            return;
        case GgmlType::Q4_0:
            return blocks(in, out, 32, 18, q4_0);
        case GgmlType::Q4_1:
            return blocks(in, out, 32, 20, q4_1);
        case GgmlType::Q5_0:
            return blocks(in, out, 32, 22, q5_0);
        case GgmlType::Q5_1:
            return blocks(in, out, 32, 24, q5_1);
        case GgmlType::Q8_0:
            return blocks(in, out, 32, 34, q8_0);
        case GgmlType::Q4_K:
            return blocks(in, out, 256, 144,
                          [](const std::uint8_t* b, float* y) { q45_k(b, y, false); });
        case GgmlType::Q5_K:
            return blocks(in, out, 256, 176,
                          [](const std::uint8_t* b, float* y) { q45_k(b, y, true); });
        case GgmlType::Q6_K:
            return blocks(in, out, 256, 210, q6_k);
    }
}

}  // namespace ssmscope::model
