## General

Everything happens in `execute`: find the line that takes a slot, then follow every way out of the
method after it.

## 1. A call that fails gives its slot back

When `fn` rejects, which lines of `execute` still run, and which are skipped?

JavaScript has a statement for code that must run however a block is left: by `return`, or by a throw.
