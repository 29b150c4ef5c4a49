//! Benchmark guest: a wasm32-wasip1 command whose first argument picks a CPU
//! kernel and whose second sets its size. It prints one result line, so that
//! runs on different engines can be checked against each other.
//!
//! | kernel      | work                                                            |
//! | ----------- | --------------------------------------------------------------- |
//! | `sieve N`   | counts the primes up to N (sieve of Eratosthenes)               |
//! | `json N`    | serializes and parses N records with serde_json, 10 rounds      |
//! | `hash N`    | fills N KiB with xorshift bytes and hashes them (FNV-1a 64)     |
//! | `matmul N`  | multiplies two N×N f64 matrices                                 |

use serde::{Deserialize, Serialize};
use std::env;
use std::process::ExitCode;

fn sieve(limit: usize) -> usize {
    let mut composite = vec![false; limit + 1];
    let mut count = 0;
    for n in 2..=limit {
        if !composite[n] {
            count += 1;
            let mut multiple = n * n;
            while multiple <= limit {
                composite[multiple] = true;
                multiple += n;
            }
        }
    }
    count
}

#[derive(Serialize, Deserialize)]
struct Record {
    id: u64,
    name: String,
    tags: Vec<String>,
    score: f64,
    active: bool,
}

fn json(records: usize) -> u64 {
    let mut data: Vec<Record> = (0..records as u64)
        .map(|id| Record {
            id,
            name: format!("record number {id}"),
            tags: vec!["alpha".into(), format!("tag-{}", id % 7)],
            score: id as f64 * 1.5,
            active: id % 2 == 0,
        })
        .collect();
    let mut checksum = 0;
    for _ in 0..10 {
        let text = serde_json::to_string(&data).expect("serializable");
        data = serde_json::from_str(&text).expect("parseable");
        checksum += text.len() as u64;
    }
    checksum + data.iter().map(|r| r.id).sum::<u64>()
}

fn hash(kib: usize) -> u64 {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let bytes: Vec<u8> = (0..kib * 1024)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect();
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn matmul(n: usize) -> f64 {
    let a: Vec<f64> = (0..n * n).map(|i| (i % 13) as f64 * 0.5).collect();
    let b: Vec<f64> = (0..n * n).map(|i| (i % 7) as f64 * 0.25).collect();
    let mut c = vec![0.0; n * n];
    for i in 0..n {
        for k in 0..n {
            let aik = a[i * n + k];
            for j in 0..n {
                c[i * n + j] += aik * b[k * n + j];
            }
        }
    }
    c.iter().sum()
}

fn main() -> ExitCode {
    let args: Vec<String> = env::args().collect();
    let size = args.get(2).and_then(|s| s.parse::<usize>().ok());
    let result = match (args.get(1).map(String::as_str), size) {
        (Some("sieve"), Some(n)) => sieve(n).to_string(),
        (Some("json"), Some(n)) => json(n).to_string(),
        (Some("hash"), Some(n)) => hash(n).to_string(),
        (Some("matmul"), Some(n)) => matmul(n).to_string(),
        _ => {
            eprintln!("usage: bench_guest sieve|json|hash|matmul N");
            return ExitCode::from(2);
        }
    };
    println!("{result}");
    ExitCode::SUCCESS
}
