"""Run every benchmark in turn: .venv/bin/python -m bench.run_all (or make bench)."""

from bench import due_queue, generation, serving, srs_sim


def main() -> None:
    for module in (generation, due_queue, srs_sim, serving):
        print(f"\n=== {module.__name__} ===")
        module.main()


if __name__ == "__main__":
    main()
