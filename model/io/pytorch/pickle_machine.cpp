#include "model/io/pytorch/pickle_machine.hpp"

#include <cstring>
#include <map>
#include <optional>
#include <unordered_map>

#include "base/error.hpp"
#include "base/str.hpp"
#include "model/io/pytorch/byte_cursor.hpp"
#include "model/io/pytorch/storage_types.hpp"

namespace ssmscope::model {

namespace {

// What refusing a global means, said once: torch.load(weights_only=True) draws the same line.
constexpr std::string_view kWhyRefused =
    "a state dict holds only tensors; refused as torch.load(weights_only=True) does";

// The callables a state dict is rebuilt with. Nothing else may be called.
constexpr std::string_view kOrderedDict = "collections.OrderedDict";
constexpr std::string_view kRebuildTensor = "torch._utils._rebuild_tensor_v2";
constexpr std::string_view kRebuildParameter = "torch._utils._rebuild_parameter";
constexpr std::string_view kRebuildParameterState = "torch._utils._rebuild_parameter_with_state";

enum class Kind { None, Bool, Int, Float, String, Tuple, List, Dict, Global, Tensor, Storage };

std::string_view describe(Kind k) {
    switch (k) {
        case Kind::None:
            return "None";
        case Kind::Bool:
            return "a bool";
        case Kind::Int:
            return "an integer";
        case Kind::Float:
            return "a float";
        case Kind::String:
            return "a string";
        case Kind::Tuple:
            return "a tuple";
        case Kind::List:
            return "a list";
        case Kind::Dict:
            return "a dict";
        case Kind::Global:
            return "a class or function";
        case Kind::Tensor:
            return "a tensor";
        case Kind::Storage:
            return "a storage";
    }
    return "?";
}

// Objects live in one arena and refer to each other by index: no object owns another, so a
// pickle that nests a million tuples or puts a list inside itself costs memory in proportion to
// its length and nothing is ever freed recursively.
using Ref = std::uint32_t;

struct Object {
    Kind kind = Kind::None;
    std::int64_t integer = 0;  // Bool, Int; the index of a Tensor or Storage
    double real = 0;
    std::string text;        // String; "module.name" of a Global
    std::vector<Ref> items;  // Tuple, List; Dict as key, value, key, value, ...
};

// The name of each pickle opcode, so that a refused one is named as pickletools names it.
std::string_view opcode_name(std::uint8_t op) {
    static const std::map<std::uint8_t, std::string_view> names{{'(', "MARK"},
                                                                {'.', "STOP"},
                                                                {'0', "POP"},
                                                                {'1', "POP_MARK"},
                                                                {'2', "DUP"},
                                                                {'F', "FLOAT"},
                                                                {'I', "INT"},
                                                                {'J', "BININT"},
                                                                {'K', "BININT1"},
                                                                {'L', "LONG"},
                                                                {'M', "BININT2"},
                                                                {'N', "NONE"},
                                                                {'P', "PERSID"},
                                                                {'Q', "BINPERSID"},
                                                                {'R', "REDUCE"},
                                                                {'S', "STRING"},
                                                                {'T', "BINSTRING"},
                                                                {'U', "SHORT_BINSTRING"},
                                                                {'V', "UNICODE"},
                                                                {'X', "BINUNICODE"},
                                                                {'a', "APPEND"},
                                                                {'b', "BUILD"},
                                                                {'c', "GLOBAL"},
                                                                {'d', "DICT"},
                                                                {'}', "EMPTY_DICT"},
                                                                {'e', "APPENDS"},
                                                                {'g', "GET"},
                                                                {'h', "BINGET"},
                                                                {'i', "INST"},
                                                                {'j', "LONG_BINGET"},
                                                                {'l', "LIST"},
                                                                {']', "EMPTY_LIST"},
                                                                {'o', "OBJ"},
                                                                {'p', "PUT"},
                                                                {'q', "BINPUT"},
                                                                {'r', "LONG_BINPUT"},
                                                                {'s', "SETITEM"},
                                                                {'t', "TUPLE"},
                                                                {')', "EMPTY_TUPLE"},
                                                                {'u', "SETITEMS"},
                                                                {'G', "BINFLOAT"},
                                                                {0x80, "PROTO"},
                                                                {0x81, "NEWOBJ"},
                                                                {0x82, "EXT1"},
                                                                {0x83, "EXT2"},
                                                                {0x84, "EXT4"},
                                                                {0x85, "TUPLE1"},
                                                                {0x86, "TUPLE2"},
                                                                {0x87, "TUPLE3"},
                                                                {0x88, "NEWTRUE"},
                                                                {0x89, "NEWFALSE"},
                                                                {0x8a, "LONG1"},
                                                                {0x8b, "LONG4"},
                                                                {'B', "BINBYTES"},
                                                                {'C', "SHORT_BINBYTES"},
                                                                {0x8c, "SHORT_BINUNICODE"},
                                                                {0x8d, "BINUNICODE8"},
                                                                {0x8e, "BINBYTES8"},
                                                                {0x8f, "EMPTY_SET"},
                                                                {0x90, "ADDITEMS"},
                                                                {0x91, "FROZENSET"},
                                                                {0x92, "NEWOBJ_EX"},
                                                                {0x93, "STACK_GLOBAL"},
                                                                {0x94, "MEMOIZE"},
                                                                {0x95, "FRAME"},
                                                                {0x96, "BYTEARRAY8"},
                                                                {0x97, "NEXT_BUFFER"},
                                                                {0x98, "READONLY_BUFFER"}};
    const auto it = names.find(op);
    return it == names.end() ? "unknown" : it->second;
}

class Machine {
  public:
    Machine(std::span<const std::byte> pickle, const std::string& source)
        : source_(source), in_(pickle) {}

    PickledStateDict run() {
        for (;;) {
            op_pos_ = in_.pos();
            const auto op = in_.uint(1);
            if (!op)
                fail("the pickle ends without a STOP opcode; the record is truncated");
            if (step(static_cast<std::uint8_t>(*op)))
                break;
        }
        return state_dict(pop());
    }

  private:
    [[noreturn]] void fail(const std::string& what) const {
        throw InputError(str(source_, ": at byte ", op_pos_, ": ", what), source_);
    }

    template <typename T>
    T need(std::optional<T> v) const {
        if (!v)
            fail("the pickle ends inside an opcode's argument; the record is truncated");
        return *v;
    }

    Ref make(Object o) {
        arena_.push_back(std::move(o));
        return static_cast<Ref>(arena_.size() - 1);
    }
    Ref make(Kind k) { return make(Object{k, 0, 0, {}, {}}); }
    Object& at(Ref r) { return arena_[r]; }
    void push(Ref r) { stack_.push_back(r); }

    Ref pop() {
        if (stack_.empty() || (!marks_.empty() && stack_.size() <= marks_.back()))
            fail("the pickle takes a value from an empty stack; the record is corrupt");
        const Ref r = stack_.back();
        stack_.pop_back();
        return r;
    }
    Ref top() {
        const Ref r = pop();
        push(r);
        return r;
    }
    std::vector<Ref> pop_to_mark() {
        if (marks_.empty())
            fail("the pickle has no MARK for this opcode; the record is corrupt");
        std::vector<Ref> out(stack_.begin() + static_cast<std::ptrdiff_t>(marks_.back()),
                             stack_.end());
        stack_.resize(marks_.back());
        marks_.pop_back();
        return out;
    }

    Ref make_int(std::int64_t v) { return make(Object{Kind::Int, v, 0, {}, {}}); }

    void memo_put(std::uint64_t index) { memo_[index] = top(); }
    void memo_get(std::uint64_t index) {
        const auto it = memo_.find(index);
        if (it == memo_.end())
            fail(str("memo entry ", index, " is read before it is written; the record is corrupt"));
        push(it->second);
    }

    Object& expect(Ref r, Kind k, std::string_view what) {
        if (at(r).kind != k)
            fail(str(what, ": expected ", describe(k), ", found ", describe(at(r).kind)));
        return at(r);
    }

    // Returns true at STOP.
    bool step(std::uint8_t op) {
        switch (op) {
            case 0x80: {  // PROTO
                const auto v = need(in_.uint(1));
                if (v < 2 || v > 5)
                    fail(str("pickle protocol ", v, " (expected 2, which torch.save writes)"));
                return false;
            }
            case 0x95:  // FRAME: a length hint only
                (void)need(in_.uint(8));
                return false;
            case '.':
                return true;
            case '(':
                marks_.push_back(stack_.size());
                return false;
            case '}':
                push(make(Kind::Dict));
                return false;
            case ']':
                push(make(Kind::List));
                return false;
            case ')':
                push(make(Kind::Tuple));
                return false;
            case 't': {
                Object t{Kind::Tuple, 0, 0, {}, pop_to_mark()};
                push(make(std::move(t)));
                return false;
            }
            case 0x85:
            case 0x86:
            case 0x87: {
                std::vector<Ref> items(op - 0x84);
                for (auto it = items.rbegin(); it != items.rend(); ++it)
                    *it = pop();
                push(make(Object{Kind::Tuple, 0, 0, {}, std::move(items)}));
                return false;
            }
            case 'X':
                push_string(need(in_.uint(4)));
                return false;
            case 0x8c:
                push_string(need(in_.uint(1)));
                return false;
            case 0x8d:
                push_string(need(in_.uint(8)));
                return false;
            case 'J':
                push(make_int(
                    static_cast<std::int32_t>(static_cast<std::uint32_t>(need(in_.uint(4))))));
                return false;
            case 'K':
                push(make_int(static_cast<std::int64_t>(need(in_.uint(1)))));
                return false;
            case 'M':
                push(make_int(static_cast<std::int64_t>(need(in_.uint(2)))));
                return false;
            case 0x8a:
                push(make_int(long1()));
                return false;
            case 'G': {
                // BINFLOAT is big-endian.
                const auto b = need(in_.take(8));
                std::uint64_t bits = 0;
                for (const std::byte x : b)
                    bits = (bits << 8) | static_cast<std::uint8_t>(x);
                double d = 0;
                std::memcpy(&d, &bits, sizeof d);
                push(make(Object{Kind::Float, 0, d, {}, {}}));
                return false;
            }
            case 0x88:
            case 0x89:
                push(make(Object{Kind::Bool, op == 0x88 ? 1 : 0, 0, {}, {}}));
                return false;
            case 'N':
                push(make(Kind::None));
                return false;
            case 'q':
                memo_put(need(in_.uint(1)));
                return false;
            case 'r':
                memo_put(need(in_.uint(4)));
                return false;
            case 0x94:
                memo_put(memo_.size());
                return false;
            case 'h':
                memo_get(need(in_.uint(1)));
                return false;
            case 'j':
                memo_get(need(in_.uint(4)));
                return false;
            case 's': {
                const Ref value = pop(), key = pop();
                auto& d = expect(top(), Kind::Dict, "SETITEM");
                d.items.insert(d.items.end(), {key, value});
                return false;
            }
            case 'u': {
                const std::vector<Ref> kv = pop_to_mark();
                if (kv.size() % 2 != 0)
                    fail("SETITEMS: an odd number of keys and values; the record is corrupt");
                auto& d = expect(top(), Kind::Dict, "SETITEMS");
                d.items.insert(d.items.end(), kv.begin(), kv.end());
                return false;
            }
            case 'a': {
                const Ref value = pop();
                expect(top(), Kind::List, "APPEND").items.push_back(value);
                return false;
            }
            case 'e': {
                const std::vector<Ref> values = pop_to_mark();
                auto& l = expect(top(), Kind::List, "APPENDS");
                l.items.insert(l.items.end(), values.begin(), values.end());
                return false;
            }
            case 'c':
                global();
                return false;
            case 'Q':
                persistent_id(pop());
                return false;
            case 'R': {
                const Ref args = pop(), callable = pop();
                push(reduce(callable, args));
                return false;
            }
            case 'b': {
                // An OrderedDict's state: the _metadata (module versions) of nn.Module.state_dict,
                // which nothing here needs.
                const Ref state = pop();
                (void)state;
                if (at(top()).kind != Kind::Dict)
                    fail(str("BUILD sets the state of ", describe(at(top()).kind),
                             "; only a dict's is admitted (", kWhyRefused, ")"));
                return false;
            }
            default:
                fail(str("opcode ", opcode_name(op), " (0x", hex(op), ") is not allowed (",
                         kWhyRefused, ")"));
        }
    }

    static std::string hex(std::uint8_t v) {
        constexpr char digits[] = "0123456789abcdef";
        return {digits[v >> 4], digits[v & 15]};
    }

    void push_string(std::uint64_t length) {
        if (length > in_.remaining())
            fail(str("a string of ", length,
                     " bytes runs past the end of the pickle; the record is truncated"));
        push(make(Object{Kind::String, 0, 0, need(in_.text(length)), {}}));
    }

    std::int64_t long1() {
        const auto n = need(in_.uint(1));
        if (n > 8)
            fail(str("LONG1: an integer of ", n, " bytes does not fit 64 bits"));
        if (n == 0)
            return 0;
        std::uint64_t v = need(in_.uint(n));
        if (n < 8 && (v >> (8 * n - 1)) != 0)  // negative: extend the sign
            v |= ~std::uint64_t{0} << (8 * n);
        return static_cast<std::int64_t>(v);
    }

    void global() {
        const auto module = in_.line();
        const auto name = module ? in_.line() : std::nullopt;
        if (!module || !name)
            fail("GLOBAL: the module and name lines run past the end; the record is truncated");
        const std::string qualified = *module + "." + *name;
        const bool callable = qualified == kOrderedDict || qualified == kRebuildTensor ||
                              qualified == kRebuildParameter || qualified == kRebuildParameterState;
        if (!callable && !storage_dtype(qualified)) {
            if (*module == "torch" && name->ends_with("Storage"))
                fail(str("unknown storage type '", qualified, "' (expected one of ",
                         known_storage_types(), ")"));
            fail(str("global '", qualified, "' is not allowed (", kWhyRefused, ")"));
        }
        push(make(Object{Kind::Global, 0, 0, qualified, {}}));
    }

    // ('storage', torch.FloatStorage, key, location, numel): the record data/<key>.
    void persistent_id(Ref pid) {
        const auto& t = expect(pid, Kind::Tuple, "BINPERSID: the persistent id").items;
        if (t.size() != 5 || at(t[0]).kind != Kind::String || at(t[0]).text != "storage")
            fail(
                "BINPERSID: expected a persistent id ('storage', storage type, key, location, "
                "numel), as torch.save writes");
        const std::string& type =
            expect(t[1], Kind::Global, "the persistent id's storage type").text;
        const auto dtype = storage_dtype(type);
        if (!dtype)
            fail(str("the persistent id names '", type,
                     "', which is not a storage type (expected one of ", known_storage_types(),
                     ")"));
        const std::string& key = expect(t[2], Kind::String, "the persistent id's key").text;
        const std::string& location =
            expect(t[3], Kind::String, "the persistent id's location").text;
        const std::int64_t numel = expect(t[4], Kind::Int, "the persistent id's numel").integer;
        if (numel < 0)
            fail(str("storage '", key, "' has ", numel, " elements"));
        const auto [it, fresh] = storage_of_.emplace(key, out_.storages.size());
        if (fresh) {
            out_.storages.push_back(PickledStorage{key, type, *dtype, location, numel});
        } else {
            const PickledStorage& s = out_.storages[it->second];
            if (s.type != type || s.numel != numel)
                fail(str("storage '", key, "' is named as ", s.type, " of ", s.numel,
                         " elements and again as ", type, " of ", numel));
        }
        push(make(Object{Kind::Storage, static_cast<std::int64_t>(it->second), 0, {}, {}}));
    }

    std::vector<std::int64_t> int_tuple(Ref r, std::string_view what) {
        std::vector<std::int64_t> out;
        for (const Ref item : expect(r, Kind::Tuple, what).items) {
            const std::int64_t v = expect(item, Kind::Int, what).integer;
            if (v < 0)
                fail(str(what, ": expected non-negative integers, found ", v));
            out.push_back(v);
        }
        return out;
    }

    Ref reduce(Ref callable, Ref args_ref) {
        const std::string name = expect(callable, Kind::Global, "REDUCE: the callable").text;
        const std::vector<Ref> args = expect(args_ref, Kind::Tuple, "REDUCE: the arguments").items;
        if (name == kOrderedDict) {
            if (!args.empty())
                fail(
                    "collections.OrderedDict: expected no arguments (torch.save fills it with "
                    "SETITEMS)");
            return make(Kind::Dict);
        }
        if (name == kRebuildTensor) {
            // (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
            if (args.size() != 6 && args.size() != 7)
                fail(str(name, ": expected 6 or 7 arguments, found ", args.size()));
            PickledTensor t;
            t.storage = static_cast<std::size_t>(
                expect(args[0], Kind::Storage, str(name, ": the storage")).integer);
            t.offset = expect(args[1], Kind::Int, str(name, ": the storage offset")).integer;
            if (t.offset < 0)
                fail(str(name, ": the storage offset is negative (", t.offset, ")"));
            t.sizes = int_tuple(args[2], str(name, ": the size"));
            t.strides = int_tuple(args[3], str(name, ": the stride"));
            if (t.sizes.size() != t.strides.size())
                fail(str(name, ": the size has ", t.sizes.size(), " dimensions and the stride ",
                         t.strides.size()));
            expect(args[4], Kind::Bool, str(name, ": requires_grad"));
            expect_no_hooks(args[5], name);
            tensors_.push_back(std::move(t));
            return make(
                Object{Kind::Tensor, static_cast<std::int64_t>(tensors_.size() - 1), 0, {}, {}});
        }
        if (name == kRebuildParameter || name == kRebuildParameterState) {
            // (data, requires_grad, backward_hooks[, state]): the tensor itself is what counts.
            const std::size_t n = name == kRebuildParameter ? 3 : 4;
            if (args.size() != n)
                fail(str(name, ": expected ", n, " arguments, found ", args.size()));
            expect(args[0], Kind::Tensor, str(name, ": the data"));
            expect(args[1], Kind::Bool, str(name, ": requires_grad"));
            expect_no_hooks(args[2], name);
            return args[0];
        }
        fail(str("'", name, "' cannot be called (", kWhyRefused, ")"));
    }

    void expect_no_hooks(Ref hooks, const std::string& fn) {
        if (!expect(hooks, Kind::Dict, str(fn, ": backward_hooks")).items.empty())
            fail(str(fn, ": backward_hooks is not empty (", kWhyRefused, ")"));
    }

    PickledStateDict state_dict(Ref root) {
        const Object& d = at(root);
        if (d.kind != Kind::Dict)
            fail(str("the pickle holds ", describe(d.kind),
                     ", expected a state dict (a dict of tensors keyed by name)"));
        std::map<std::string, bool, std::less<>> seen;
        for (std::size_t i = 0; i + 1 < d.items.size(); i += 2) {
            const Object& key = at(d.items[i]);
            const Object& value = at(d.items[i + 1]);
            if (key.kind != Kind::String)
                fail(str("a key of the state dict is ", describe(key.kind),
                         ", expected a tensor name (a string)"));
            if (value.kind != Kind::Tensor)
                fail(str("state dict entry '", key.text, "' holds ", describe(value.kind),
                         ", expected a tensor (the file must be a state dict: {name: tensor})"));
            if (!seen.emplace(key.text, true).second)
                fail(str("state dict entry '", key.text, "' is set twice"));
            PickledTensor t = tensors_[static_cast<std::size_t>(value.integer)];
            t.name = key.text;
            out_.tensors.push_back(std::move(t));
        }
        return std::move(out_);
    }

    const std::string& source_;
    ByteCursor in_;
    std::size_t op_pos_ = 0;
    std::vector<Object> arena_;
    std::vector<Ref> stack_;
    std::vector<std::size_t> marks_;
    std::unordered_map<std::uint64_t, Ref> memo_;
    std::vector<PickledTensor> tensors_;
    std::map<std::string, std::size_t, std::less<>> storage_of_;
    PickledStateDict out_;
};

}  // namespace

PickledStateDict unpickle_state_dict(std::span<const std::byte> pickle, const std::string& source) {
    return Machine(pickle, source).run();
}

}  // namespace ssmscope::model
