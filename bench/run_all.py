"""Run every benchmark in turn: .venv/bin/python -m bench.run_all (or make bench)."""

from bench import due_queue, generation, live, quality_before, quiz_results, serving, srs_sim


def main() -> None:
    for module in (generation, quality_before, due_queue, srs_sim, serving, quiz_results, live):
        print(f"\n=== {module.__name__} ===")
        module.main()


if __name__ == "__main__":
    main()
