// Helpers shared by the tokenizer tests: a scratch directory, files in it, and the message of
// the InputError a call throws.
#pragma once

#include "tests/support/input_error.hpp"
#include "tests/support/temp_dir.hpp"
