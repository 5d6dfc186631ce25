"""Locust users for the serving benchmark: each is a learner fetching and answering cards."""

import os

from locust import HttpUser, constant, task

TOKENS = open(os.environ["BENCH_TOKENS"]).read().split()
DECK = "/api/v1/decks/israel-russia/all"


class Learner(HttpUser):
    wait_time = constant(0)

    def on_start(self):
        self.headers = {"Authorization": f"Bearer {TOKENS.pop()}"}

    @task
    def review(self):
        card = self.client.get(f"{DECK}/next", headers=self.headers, name="next card").json()
        if card["done"]:
            return
        question = card["question"]
        response = question["choices"][0] if question["choices"] else "1948"
        self.client.post(f"{DECK}/answers", headers=self.headers, name="answer", json={
            "question_id": question["id"], "token": card["token"], "response": response})
