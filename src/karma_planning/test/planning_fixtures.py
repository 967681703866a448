"""Shared memory fixtures for the planning tests (a module, so tests import it by a unique name)."""
from karma_planning.memory_view import MemoryView


def kitchen(extra_nodes=(), extra_edges=()) -> MemoryView:
    """Fridge with an apple, counter with a plate, a knife, two mugs, a pen on a desk."""
    nodes = [
        {'id': 'region:kitchen', 'layer': 'region', 'type': 'kitchen'},
        {'id': 'region:office', 'layer': 'region', 'type': 'office'},
        {'id': 'Fridge_1', 'layer': 'receptacle', 'type': 'Fridge'},
        {'id': 'CounterTop_1', 'layer': 'receptacle', 'type': 'CounterTop'},
        {'id': 'Desk_1', 'layer': 'receptacle', 'type': 'Desk'},
        {'id': 'Apple_1', 'layer': 'object', 'type': 'Apple'},
        {'id': 'Plate_1', 'layer': 'receptacle', 'type': 'Plate'},
        {'id': 'Knife_1', 'layer': 'object', 'type': 'Knife'},
        {'id': 'Mug_1', 'layer': 'object', 'type': 'Mug'},
        {'id': 'Mug_2', 'layer': 'object', 'type': 'Mug'},
        {'id': 'Pencil_1', 'layer': 'object', 'type': 'Pencil'},
        {'id': 'Book_1', 'layer': 'object', 'type': 'Book'},
        {'id': 'Sofa_1', 'layer': 'receptacle', 'type': 'Sofa'},
        {'id': 'Pillow_1', 'layer': 'object', 'type': 'Pillow'},
        *extra_nodes]
    edges = [
        {'source': 'region:kitchen', 'target': t, 'relation': 'contains'} for t in ('Fridge_1', 'CounterTop_1')
    ] + [{'source': 'region:office', 'target': t, 'relation': 'contains'} for t in ('Desk_1', 'Sofa_1')] + [
        {'source': 'Apple_1', 'target': 'Fridge_1', 'relation': 'in'},
        {'source': 'Plate_1', 'target': 'CounterTop_1', 'relation': 'on'},
        {'source': 'Knife_1', 'target': 'CounterTop_1', 'relation': 'on'},
        {'source': 'Mug_1', 'target': 'CounterTop_1', 'relation': 'on'},
        {'source': 'Mug_2', 'target': 'CounterTop_1', 'relation': 'on'},
        {'source': 'Pencil_1', 'target': 'Desk_1', 'relation': 'on'},
        {'source': 'Book_1', 'target': 'Desk_1', 'relation': 'on'},
        {'source': 'Pillow_1', 'target': 'Sofa_1', 'relation': 'on'},
        *extra_edges]
    return MemoryView.from_graph(nodes, edges)
