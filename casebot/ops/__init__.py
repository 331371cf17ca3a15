"""What unattended operation needs: secrets, schedules, notifications, metrics, the console."""
