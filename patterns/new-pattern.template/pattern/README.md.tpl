# __title__

The lesson the **Learn** tab shows. Each section below says what it is for: replace its text with yours.

## Intent

One or two sentences: what the pattern does, in the words of the problem it solves.

## The problem

A concrete story with a real backend in it (a checkout, a sign-up, an API under load): what goes wrong
without the pattern, and what that costs the people on both sides of the call. Numbers help.

## The solution

How the pattern solves it: its moving parts, its states or steps, a diagram (a `mermaid` code block
is drawn), and the decisions a learner will meet in the code.

### The code in this folder

- `__id__.ts`: the implementation the learner edits (the Code tab). For now it holds a small working
  example, a concurrency limit (a bulkhead): at most `limit` calls at once, the others turned away at once.
- `lab.ts`: the basic lab. Each request calls the backend service (the `backend` fault point) through
  the limit; the lab turns the limit's decisions into `__id__.decision` events and checks the invariant
  `in-flight-within-limit`.
- `telemetry.ts`, `views.ts`, `params.ts`, `tour.ts`, `pattern.ts`: the lab's event types, what it
  draws, its knobs, its guided tour and the pattern's manifest.

## When to use it

The situations where the pattern pays for itself, each with what tells you that you are in one.

## When not to use it

Where it costs more than it gives, and what to do there instead.

## Issues and considerations

What to get right when you build or configure it: the settings and their trade-offs, how it fails,
how to observe it, how it interacts with the other patterns of the workbench.

## The widely copied Python version, and where it goes wrong

Show the snippet most tutorials copy, then each of its flaws: what goes wrong, when, and how the code
in this folder avoids it. Each flaw is a good exercise.

## Try it in the lab

Press **Start run**, then, in the **Faults: Backend service** panel, press **Slow**: each call now holds
its slot for about 800 ms, and the **Decisions** table shows the limit turning calls away. Press
**Clear** and every request is admitted again. The guided tour walks through it step by step.
