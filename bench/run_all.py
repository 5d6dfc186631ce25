"""Run every benchmark in turn: .venv/bin/python -m bench.run_all (or make bench)."""

from bench import (
    due_queue,
    exam_day,
    generation,
    instructions,
    live,
    logins,
    quality_before,
    quiz_results,
    recycling,
    serving,
    srs_sim,
    study_load,
)


def main() -> None:
    for module in (generation, quality_before, due_queue, srs_sim, serving, instructions, recycling, quiz_results,
                   logins, study_load, exam_day, live):
        print(f"\n=== {module.__name__} ===")
        module.main()


if __name__ == "__main__":
    main()
