"""Every write of the hackathons app, split by area: lifecycle, registrations, teams,
submissions and judging."""
