"""Locust users for the baseline: the same number of users hitting a bare endpoint."""

from locust import HttpUser, constant, task


class Caller(HttpUser):
    wait_time = constant(0)

    @task
    def ping(self):
        self.client.get("/ping", name="ping")
