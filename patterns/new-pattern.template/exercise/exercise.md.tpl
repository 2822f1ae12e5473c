---
title: Give a failed call's slot back
difficulty: easy
file: __id__.ts
---

A concurrency limit hands out a fixed number of slots: a call takes one when it starts and gives it back
when it ends. This limit gives it back only when the call succeeds. Each call that fails (the backend
answers with an error, the connection breaks, the call times out) keeps its slot for good.

Nothing shows at first: failures are rare, and there are slots to spare. Then the backend has a bad
minute. After as many failures as the limit, every slot is held by a call that ended long ago, and every
new call is turned away. The backend recovers; the limit does not. The protection has become the outage.

## 1. A call that fails gives its slot back

However a call ends (an answer, an error, a timeout), its slot is free again once it has ended. After as
many failed calls as the limit, the next call is admitted as if nothing had happened.
