"""Community's demo data (seed_demo): set-based, repeatable for a seed."""


def seed_area(*, seed: int = 1, progress=None, **kwargs):
    from .demo_seed import seed

    return seed(seed=seed, progress=progress)
