//! Static fuel costs: what one instruction costs, and what each metering
//! region of a function body costs in total.
//!
//! A region begins at the function's entry or at a `loop` header and holds
//! every instruction up to the region's end, except those inside nested
//! loops (which are regions of their own). Without a loop, no instruction of
//! a region can run twice per entry, so charging the region's summed cost at
//! its entry bounds the work done until the next check from above; the two
//! arms of an `if` count as the dearer one. Calls are charged in the callee.

use wasmparser::Operator;

/// Bytes of a bulk memory operation one unit of fuel pays for, as a shift:
/// one byte. (Wasmi charges a unit per 64 bytes, but V8 runs plain
/// instructions so much faster than it copies memory that a unit per 64
/// bytes would let a `memory.fill` of some MiB far outlast its slice.)
pub const BYTES_PER_FUEL_SHIFT: i64 = 0;
/// Bytes of one chunk of a `memory.fill` or `memory.copy`: the operation
/// runs chunk by chunk, each charged before it runs, so that a slice can
/// end between chunks (one page: charging it takes ≈ 1% of writing it).
pub const BULK_CHUNK: u64 = 65536;
/// Fuel per page of `memory.grow` (a unit per byte, as for bulk operations).
pub const PAGE_FUEL_SHIFT: i64 = 16;
/// Table entries of `table.fill`, `table.copy` and `table.init` one unit
/// pays for (8 bytes an entry, 64 bytes per unit).
pub const ENTRIES_PER_FUEL_SHIFT: i64 = 3;
/// Fuel per entry of `table.grow` (as a shift): V8 takes ≈ 70 ns per entry
/// a funcref table grows by, the time of ≈ 100 cheap instructions.
pub const FUEL_PER_GROWN_ENTRY_SHIFT: i64 = 6;
/// Fuel of `throw`, `throw_ref` and `rethrow`: V8 took 1.1–2.5 µs to
/// throw and catch an exception (a loop doing nothing else), the time of
/// about 2,000 cheap instructions, so that a throw/catch loop's slices
/// last as long as other code's.
pub const THROW_FUEL: u64 = 2048;
/// The most one region is charged: more could overflow nothing (the counter
/// is an i64), but a region this large is an upper bound anyway.
const MAX_REGION_COST: u64 = 1 << 40;

/// The static cost of one operator: 0 for what a register machine (such as
/// Wasmi's) does not execute as an instruction of its own, 1 otherwise.
/// Bulk operations and `memory.grow` pay for their size on top of this, at
/// run time (`memory.fill` and `memory.copy` chunk by chunk); a throw costs
/// [`THROW_FUEL`].
pub fn operator_cost(op: &Operator<'_>) -> u64 {
    match op {
        Operator::Nop
        | Operator::Block { .. }
        | Operator::Loop { .. }
        | Operator::End
        | Operator::Else
        | Operator::Try { .. }
        | Operator::TryTable { .. }
        | Operator::Catch { .. }
        | Operator::CatchAll
        | Operator::Delegate { .. }
        | Operator::LocalGet { .. }
        | Operator::LocalSet { .. }
        | Operator::LocalTee { .. }
        | Operator::I32Const { .. }
        | Operator::I64Const { .. }
        | Operator::F32Const { .. }
        | Operator::F64Const { .. }
        | Operator::Drop => 0,
        Operator::Throw { .. } | Operator::ThrowRef | Operator::Rethrow { .. } => THROW_FUEL,
        _ => 1,
    }
}

enum Frame {
    /// The function body (region 0) or a loop.
    Region { id: usize, cost: u64 },
    /// `block`, `try`, `try_table`: straight into the enclosing frame.
    Block { cost: u64 },
    /// `if`: `then` holds the first arm's cost once `else` was seen.
    If { cost: u64, then: Option<u64> },
}

impl Frame {
    fn cost_mut(&mut self) -> &mut u64 {
        match self {
            Frame::Region { cost, .. } | Frame::Block { cost } | Frame::If { cost, .. } => cost,
        }
    }
}

/// The cost of every region of a function body, in the order their headers
/// appear: index 0 is the function entry, index `n` the `n`-th `loop`.
pub fn region_costs(ops: &[Operator<'_>]) -> Vec<u64> {
    let mut costs = vec![0];
    let mut frames = vec![Frame::Region { id: 0, cost: 0 }];
    for op in ops {
        match op {
            Operator::Loop { .. } => {
                costs.push(0);
                frames.push(Frame::Region {
                    id: costs.len() - 1,
                    cost: 0,
                });
            }
            Operator::Block { .. } | Operator::Try { .. } | Operator::TryTable { .. } => {
                frames.push(Frame::Block { cost: 0 });
            }
            Operator::If { .. } => {
                add(&mut frames, 1);
                frames.push(Frame::If {
                    cost: 0,
                    then: None,
                });
            }
            Operator::Else => {
                if let Some(Frame::If { cost, then }) = frames.last_mut() {
                    *then = Some(*cost);
                    *cost = 0;
                }
            }
            Operator::End | Operator::Delegate { .. } => {
                let contribution = match frames.pop() {
                    Some(Frame::Region { id, cost }) => {
                        costs[id] = cost.min(MAX_REGION_COST);
                        0
                    }
                    Some(Frame::Block { cost }) => cost,
                    Some(Frame::If { cost, then }) => cost.max(then.unwrap_or(0)),
                    None => 0,
                };
                add(&mut frames, contribution);
            }
            _ => add(&mut frames, operator_cost(op)),
        }
    }
    costs
}

fn add(frames: &mut [Frame], cost: u64) {
    if let Some(frame) = frames.last_mut() {
        let total = frame.cost_mut();
        *total = total.saturating_add(cost);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ops(wat: &str) -> Vec<Operator<'static>> {
        let bytes: &'static [u8] = Box::leak(wat::parse_str(wat).unwrap().into_boxed_slice());
        for payload in wasmparser::Parser::new(0).parse_all(bytes) {
            if let wasmparser::Payload::CodeSectionEntry(body) = payload.unwrap() {
                let mut reader = body.get_operators_reader().unwrap();
                let mut ops = Vec::new();
                while !reader.eof() {
                    ops.push(reader.read().unwrap());
                }
                return ops;
            }
        }
        panic!("no function body");
    }

    #[test]
    fn straight_line_code_costs_its_instructions_without_locals_and_constants() {
        let ops = ops("(module (func (param i32) (result i32)
            local.get 0 i32.const 1 i32.add i32.const 2 i32.mul))");
        assert_eq!(region_costs(&ops), [2]);
    }

    #[test]
    fn a_loop_is_a_region_of_its_own() {
        let ops = ops("(module (func (param i32)
            i32.const 0 drop
            (loop $l local.get 0 i32.const 1 i32.sub local.tee 0 br_if $l)
            nop i32.const 1 i32.const 2 i32.add drop))");
        // Entry: the add after the loop. Loop: sub, br_if.
        assert_eq!(region_costs(&ops), [1, 2]);
    }

    #[test]
    fn the_dearer_arm_of_an_if_counts() {
        let ops = ops("(module (func (param i32) (result i32)
            (if (result i32) (local.get 0)
              (then i32.const 1 i32.const 2 i32.add i32.const 3 i32.mul)
              (else i32.const 4 i32.const 5 i32.add))))");
        // if + max(add mul, add).
        assert_eq!(region_costs(&ops), [3]);
    }

    #[test]
    fn a_throw_costs_about_its_time() {
        let ops = ops("(module (tag $e) (func
            (loop $l (block $h (try_table (catch_all $h) (throw $e))) br $l)))");
        // Loop: throw, br.
        assert_eq!(region_costs(&ops), [0, THROW_FUEL + 1]);
    }

    #[test]
    fn nested_loops_are_charged_separately_and_blocks_add_up() {
        let ops = ops("(module (func
            (block (loop (loop nop br 0) br 0) unreachable)
            (block unreachable)))");
        assert_eq!(region_costs(&ops), [2, 1, 1]);
    }
}
