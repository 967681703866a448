"""Bridge-side fixes found in the household suite: basins, far ends of beds, closed containers."""
from bridge_helpers import first_id


def ok(out):
    assert out.success, out.message
    return out


def test_navigate_to_a_bathtub_puts_its_basin_in_view(make_runner):
    r = make_runner('FloorPlan401')
    for skill, t in (('navigate_to', 'SoapBar'), ('pickup', 'SoapBar'), ('navigate_to', 'Sink'),
                     ('put', 'Sink'), ('navigate_to', 'ToiletPaper'), ('pickup', 'ToiletPaper'),
                     ('navigate_to', 'Toilet'), ('put', 'Toilet'), ('navigate_to', 'SoapBar'),
                     ('pickup', 'SoapBar'), ('navigate_to', 'Bathtub')):
        ok(r.run(skill, [first_id(r, t)]))
    assert r.visible(first_id(r, 'BathtubBasin'))
    out = ok(r.run('put', [first_id(r, 'Bathtub')]))
    assert out.steps == 1


def test_an_object_at_the_far_end_of_a_bed_can_be_closed(make_runner):
    r = make_runner('FloorPlan311')
    laptop = first_id(r, 'Laptop')
    for skill, arg in (('navigate_to', laptop), ('pickup', laptop),
                       ('navigate_to', first_id(r, 'Bed')), ('put', first_id(r, 'Bed')),
                       ('navigate_to', laptop)):  # from THOR's spawn the bed is approached
        ok(r.run(skill, [arg]))                  # from the side where the laptop is out of view
    ok(r.run('close', [laptop]))


def test_an_object_in_a_closed_fridge_says_open_it_first(make_runner):
    r = make_runner('FloorPlan5')
    lettuce, fridge = first_id(r, 'Lettuce'), first_id(r, 'Fridge')
    for skill, arg in (('navigate_to', lettuce), ('pickup', lettuce), ('navigate_to', fridge),
                       ('open', fridge), ('put', fridge), ('close', fridge)):
        ok(r.run(skill, [arg]))
    out = r.run('slice', [lettuce])
    assert not out.success and out.steps == 0 and 'open it first' in out.message
    ok(r.run('open', [fridge]))
    ok(r.run('slice', [lettuce]))


def test_things_on_a_closed_toilet_are_not_hidden(make_runner):
    r = make_runner('FloorPlan401')
    paper, toilet = first_id(r, 'ToiletPaper'), first_id(r, 'Toilet')
    for skill, arg in (('navigate_to', paper), ('pickup', paper), ('navigate_to', toilet),
                       ('put', toilet), ('navigate_to', paper)):
        ok(r.run(skill, [arg]))
    ok(r.run('pickup', [paper]))


def test_far_objects_still_need_navigate_to(make_runner):
    r = make_runner('FloorPlan1')
    out = r.run('pickup', [first_id(r, 'Vase')])
    assert not out.success and 'navigate_to it first' in out.message
